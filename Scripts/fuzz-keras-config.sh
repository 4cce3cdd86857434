#!/usr/bin/env bash
# Fuzzes the Keras model_config reader (JSON text to a validated architecture) with libFuzzer.
#
# usage: Scripts/fuzz-keras-config.sh [runs] [max seconds]      default: 1000000 runs, 1800 s
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build-fuzz)
#
# The seed corpus is the model_config of each Keras fixture (fixtures/*.h5). Each input must give
# an architecture that validates (and builds, when small) or a one-line ModelFileError or
# ArchitectureError. See Scripts/fuzz-run.sh for the build, the limits and the output.
set -euo pipefail
exec "$(dirname "$0")/fuzz-run.sh" KerasConfigFuzz "${1:-1000000}" "${2:-1800}" 16384
