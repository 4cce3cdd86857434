#!/usr/bin/env bash
# Fuzzes the compressed model (.dcz) decoder with libFuzzer for a fixed number of executions.
#
# usage: Scripts/fuzz-container.sh [runs] [max seconds]      default: 200000 runs, no time limit
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build-fuzz)
#
# The seed corpus is small valid files (sparse k-means, int8, FP16, plain and surgery-masked
# floats, every layer type). Each input is decoded as it is and with its CRCs recomputed (so
# mutations reach the parser), and every model that decodes must encode and decode again to the
# same weights. See Scripts/fuzz-run.sh for the build, the limits and the output.
set -euo pipefail
exec "$(dirname "$0")/fuzz-run.sh" ContainerFuzz "${1:-200000}" "${2:-0}"
