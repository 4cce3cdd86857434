#!/usr/bin/env bash
# Speed of the C runtime (streaming and decoded-once modes) against dense float32 inference of the
# same model by `compress eval` at batch 1, in the same run, on the 10,000 MNIST test images.
#
# usage: Scripts/bench-runtime.sh [MODEL.dcz ...]
#   default: out/lenet300-deep-compression/lenet300.dcz (recipes/lenet300-deep-compression.yaml)
#   needs data/mnist and the release binary (swift build -c release --product compress).
# The runtime is built with cc -O2 (no -march: what a user's default build gets) and timed one
# image at a time on inputs in memory. Decoded mode and `compress eval --batch-size 1` (which
# decodes the file to a dense model and times its own inference) alternate five times over the
# 10,000 images, best of each kept, so both see the same machine; streaming mode, slower, runs
# three passes over the first 1,000 images.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/runtime/common.sh

models=("$@")
[ ${#models[@]} -gt 0 ] || models=(out/lenet300-deep-compression/lenet300.dcz)
compress="${COMPRESS:-.build/release/compress}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

runtime_images "$work/images.f32"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(cc --version | head -1)"
for model in "${models[@]}"; do
    name="$(basename "$model" .dcz)"
    "$compress" export "$model" --c "$work/$name" >/dev/null
    (cd "$work/$name" && cc -O2 -std=c99 -Iruntime/include -I. "$OLDPWD/Scripts/runtime/bench_runtime.c" model.c runtime/*.c -lm -o bench)
    echo "$name ($(wc -c <"$model") bytes):"
    eval_best=0
    decoded_best=0
    for _ in 1 2 3 4 5; do
        rate="$("$compress" eval "$model" --data mnist --batch-size 1 --json | sed -n 's/.*"imagesPerSecond" : \([0-9.]*\).*/\1/p')"
        eval_best="$(awk -v a="$eval_best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')"
        rate="$("$work/$name/bench" "$work/images.f32" decoded 10000 1)"
        decoded_best="$(awk -v a="$decoded_best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')"
    done
    streaming="$("$work/$name/bench" "$work/images.f32" streaming 1000 3)"
    printf 'compress eval, dense float32, batch 1: %8.0f images/s\n' "$eval_best"
    printf 'C runtime, decoded once:                %8.0f images/s (%.2fx)\n' "$decoded_best" "$(awk -v a="$decoded_best" -v b="$eval_best" 'BEGIN { print a / b }')"
    printf 'C runtime, streaming:                   %8.0f images/s\n' "$streaming"
done
