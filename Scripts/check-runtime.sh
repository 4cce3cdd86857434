#!/usr/bin/env bash
# The C runtime against `compress eval` on the 10,000 MNIST test images: the same top-1 count,
# the same prediction for every image and logits within 1e-4, in streaming and decoded mode.
#
# usage: Scripts/check-runtime.sh [MODEL.dcz ...]
#   default: the outputs of recipes/lenet300-deep-compression.yaml and lenet5-deep-compression.yaml
#   (run them first: .build/release/compress run recipes/NAME.yaml); needs data/mnist
#   (Scripts/fetch-mnist.sh) and the release binary (swift build -c release --product compress).
# Each model is exported with `compress export --c`, built with the system compiler (cc -O2) and
# run on the images as raw floats (pixels / 255, Scripts/runtime/idx-to-f32.c). Exits 1 on a mismatch.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/runtime/common.sh

mapfile -t models < <(runtime_models "$@")
compress="${COMPRESS:-.build/release/compress}"
labels=data/mnist/t10k-labels-idx1-ubyte
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cc -O2 -o "$work/compare-logits" Scripts/runtime/compare-logits.c -lm
runtime_images "$work/images.f32"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'); $(cc --version | head -1)"

status=0
for model in "${models[@]}"; do
    name="$(basename "$model" .dcz)"
    export="$work/$name"
    runtime_export "$model" "$export"
    "$compress" eval "$model" --data mnist --logits "$work/$name-eval.f32"
    outputs="$(sed -n 's/^#define MODEL_OUTPUT_COUNT //p' "$export/model.h")"
    for mode in streaming decoded; do
        flag=(); [ "$mode" = decoded ] && flag=(--decoded)
        "$export/classify" "${flag[@]}" --logits "$work/$name-$mode.f32" "$work/images.f32" >/dev/null
        printf '%s, %s: ' "$name" "$mode"
        "$work/compare-logits" "$work/$name-eval.f32" "$work/$name-$mode.f32" "$outputs" "$labels" 1e-4 || status=1
    done
done
exit $status
