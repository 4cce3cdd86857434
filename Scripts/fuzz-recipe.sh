#!/usr/bin/env bash
# Fuzzes the recipe parser and planner with libFuzzer.
#
# usage: Scripts/fuzz-recipe.sh [runs] [max seconds]      default: 1000000 runs, 1800 s
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build-fuzz)
#
# The seed corpus is recipes/*.yaml. Each input, as recipe text, must parse and plan or give a
# one-line RecipeError. See Scripts/fuzz-run.sh for the build, the limits and the output.
set -euo pipefail
exec "$(dirname "$0")/fuzz-run.sh" RecipeFuzz "${1:-1000000}" "${2:-1800}"
