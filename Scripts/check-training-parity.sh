#!/usr/bin/env bash
# Training parity with PyTorch: the same initial weights (compress train --epochs 0) and the same
# minibatches (the MNIST training split in file order, or shuffled as compress train shuffles for
# a seed) fed to the engine (bench train-steps) and to PyTorch (check_training_parity.py), with
# compress train's default optimizer (Nesterov 0.9, lr 0.05, cosine, L2 5e-4 on kernels).
# Prints, per model and batch size, the largest relative difference of the per-step losses over
# the first 10, 50 and 200 steps, and the same for PyTorch against itself on 1 and 2 threads:
# float32 sums in another order diverge by themselves once training is chaotic, so that is the
# floor any two implementations can reach.
#
# usage: Scripts/check-training-parity.sh [steps] [seed]    default 200, file order (no seed)
#   SCRATCH_PATH  SwiftPM build directory (default .build)
# Needs data/mnist (Scripts/fetch-mnist.sh) and torch and h5py in .venv-bench (installed here).
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-200}"
seed="${2:-}"
scratch="${SCRATCH_PATH:-.build}"
Scripts/fetch-mnist.sh >/dev/null
if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "import torch, h5py" 2>/dev/null; then
    [ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet torch h5py numpy
fi
swift build -c release --scratch-path "$scratch" --product compress >/dev/null
swift build -c release --scratch-path "$scratch" --product bench >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The largest relative difference of two step-loss files over their first n common steps.
divergence() {
    paste "$1" "$2" | awk -v n="$3" 'NR <= n && $1 == "step" { d = ($4 - $8) / ($8 == 0 ? 1 : $8); if (d < 0) d = -d;
        if (d > m || d != d) m = d } END { printf "%.1e", m }'
}
echo "$("$bin/compress" doctor | sed -n 's/^blas kernels: */kernels: /p'); order: ${seed:+shuffled, seed $seed}${seed:-file order}; $steps steps"
printf "%-9s %5s  %-26s  %-26s  %s\n" arch batch "ours vs torch @10/50/all" "torch 1 vs 2 threads" "last losses (ours, torch)"
for arch in lenet300 lenet5; do
    "$bin/compress" train --arch $arch --data mnist --epochs 0 --seed 1 -o "$work/$arch.h5" >/dev/null
    for batch in 64 256; do
        order=()
        [ -z "$seed" ] || order=(--seed "$seed" --order-out "$work/order")
        "$bin/bench" train-steps --model "$work/$arch.h5" --batch-size $batch --steps "$steps" "${order[@]}" | grep '^step' > "$work/ours"
        python_order=()
        [ -z "$seed" ] || python_order=("$work/order")
        for threads in 1 2; do
            .venv-bench/bin/python Scripts/check_training_parity.py "$work/$arch.h5" $arch $batch "$steps" data/mnist $threads 1 "${python_order[@]}" > "$work/torch$threads"
        done
        printf "%-9s %5d  %-26s  %-26s  %s\n" $arch $batch \
            "$(divergence "$work/ours" "$work/torch2" 10) / $(divergence "$work/ours" "$work/torch2" 50) / $(divergence "$work/ours" "$work/torch2" "$steps")" \
            "$(divergence "$work/torch1" "$work/torch2" 10) / $(divergence "$work/torch1" "$work/torch2" 50) / $(divergence "$work/torch1" "$work/torch2" "$steps")" \
            "$(tail -1 "$work/ours" | awk '{print $4}'), $(tail -1 "$work/torch2" | awk '{print $4}')"
    done
done
