#!/usr/bin/env bash
# Runs the numerical test suites (TensorCore, NN, Compression) once per OpenBLAS kernel set this
# CPU can run, with OPENBLAS_CORETYPE naming it (compress respects a user's setting), so that a
# kernel set computing wrong results on this machine shows up as failing tests.
#
# usage: Scripts/check-blas-kernels.sh [kernel sets]    default: every set of
#        Prescott Nehalem Sandybridge Haswell Zen SkylakeX Cooperlake the CPU supports
#   SCRATCH_PATH  SwiftPM build directory (default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH_PATH:-.build}"

swift build -c release --scratch-path "$scratch" --product compress >/dev/null
compress="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/compress"
level="$(env -u OPENBLAS_CORETYPE "$compress" doctor --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["processor"]["vectorLevel"])')"
echo "CPU vector level: $level"

if [ $# -gt 0 ]; then
    sets=("$@")
else
    sets=(Prescott Nehalem)
    case "$level" in
        AVX|AVX2+FMA|AVX-512) sets+=(Sandybridge) ;;&
        AVX2+FMA|AVX-512) sets+=(Haswell Zen) ;;&
        AVX-512) sets+=(SkylakeX Cooperlake) ;;
    esac
fi

swift build --scratch-path "$scratch" --build-tests >/dev/null
failed=()
for kernels in "${sets[@]}"; do
    echo "== OPENBLAS_CORETYPE=$kernels: $(OPENBLAS_CORETYPE=$kernels "$compress" doctor | grep -E '^(blas kernels|self-check)' | tr -s ' ' | paste -sd ';')"
    if OPENBLAS_CORETYPE=$kernels swift test --scratch-path "$scratch" --skip-build \
           --filter 'TensorCoreTests|NNTests|CompressionTests' > "/tmp/check-blas-$kernels.log" 2>&1; then
        echo "   passed: $(grep -E 'Test run with|Executed .* tests' "/tmp/check-blas-$kernels.log" | tail -2 | paste -sd ' ')"
    else
        echo "   FAILED (log: /tmp/check-blas-$kernels.log)"
        failed+=("$kernels")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "failed under: ${failed[*]}"
    exit 1
fi
echo "all passed under: ${sets[*]}"
