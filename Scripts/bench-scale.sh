#!/usr/bin/env bash
# VGG-16 scale: each step of the compression pipeline on keras.applications VGG16 (138,357,544
# parameters, a 553 MB .h5), under /usr/bin/time -v: wall time, peak RSS and output size, beside
# Keras (torch backend) evaluating the same file, in the same run.
#
# usage: Scripts/bench-scale.sh [work dir]        default: /tmp/compress-bench-scale
#   SCRATCH_PATH  SwiftPM build directory (default .build)
# Installs keras, torch and h5py into .venv-bench on first use (a large download).
# Targets (issue 15): prune, quantize (k-means 5 bits, no retraining), huffman and decompress
# each <= 15 s and <= 1.5 GB RSS; no intermediate .h5 larger than the input; eval of 16 images
# no slower than Keras.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/compress-bench-scale}"
scratch="${SCRATCH_PATH:-.build}"
mkdir -p "$work"

if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "import keras, torch, h5py" 2>/dev/null; then
    echo "bench-scale: installing keras, torch and h5py into .venv-bench (large download)"
    [ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet keras torch h5py numpy
fi
swift build -c release --scratch-path "$scratch" --product compress >/dev/null
compress="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/compress"
[ -f "$work/vgg16.h5" ] || .venv-bench/bin/python Scripts/make_vgg16.py "$work" 16

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $("$compress" doctor | sed -n 's/^blas kernels: *//p')"
input_bytes=$(stat -c %s "$work/vgg16.h5")
printf "%-11s %8s %10s %14s  %s\n" step "wall s" "max RSS MB" "output bytes" "command"
# One step: its name, its output file (or -), then the command.
step() {
    local name=$1 output=$2; shift 2
    rm -f "$work/time-$name.txt"
    if ! /usr/bin/time -v -o "$work/time-$name.txt" "$@" > "$work/out-$name.txt" 2>&1; then
        echo "$name failed:"; tail -3 "$work/out-$name.txt"; return 1
    fi
    local wall rss size="-"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time-$name.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/time-$name.txt")
    [ "$output" = "-" ] || size=$(stat -c %s "$output")
    printf "%-11s %8.1f %10s %14s  %s\n" "$name" "$wall" "$rss" "$size" "${*:1:2} ..."
}
rm -f "$work"/pruned.h5 "$work"/quantized.h5 "$work"/vgg16.dcz "$work"/dense.h5
step prune "$work/pruned.h5" "$compress" prune "$work/vgg16.h5" -o "$work/pruned.h5" --sparsity 0.9
step quantize "$work/quantized.h5" "$compress" quantize "$work/pruned.h5" -o "$work/quantized.h5" --method kmeans --bits 5
step huffman "$work/vgg16.dcz" "$compress" huffman "$work/quantized.h5" -o "$work/vgg16.dcz"
step decompress "$work/dense.h5" "$compress" decompress "$work/vgg16.dcz" -o "$work/dense.h5"
step eval - "$compress" eval "$work/vgg16.h5" --data "$work/images.h5" --batch-size 16
step keras-eval - .venv-bench/bin/python Scripts/keras_eval_timing.py "$work/vgg16.h5" "$work/images.h5" 16
echo "input: $input_bytes bytes; eval: $(grep -E 'top-1|images/s' "$work/out-eval.txt" | head -2 | paste -sd ' ')"
echo "keras: $(tail -1 "$work/out-keras-eval.txt")"
