#!/usr/bin/env bash
# Training speed: images/s of one epoch of LeNet-300-100 and LeNet-5 on MNIST at batch 64 and 256,
# `compress train` beside PyTorch CPU (eager, same threads, same optimizer), in the same run.
#
# usage: Scripts/bench-train.sh [threads]        default 2 (the machine's cores)
#   SCRATCH_PATH  SwiftPM build directory (default .build)
# Needs data/mnist (Scripts/fetch-mnist.sh) and makes .venv-bench with torch on first use
# (a multi-GB download). Also prints the sgemm rate (bench sgemm) and the fraction of it that
# each training run reaches, counting 2 FLOPs per multiply-add: forward, plus two backward
# products per layer (no data gradient for the first layer).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
scratch="${SCRATCH_PATH:-.build}"

Scripts/fetch-mnist.sh >/dev/null
if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "import torch" 2>/dev/null; then
    echo "bench-train: creating .venv-bench with torch (large download)"
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet torch numpy
fi
swift build -c release --scratch-path "$scratch" --product compress >/dev/null
swift build -c release --scratch-path "$scratch" --product bench >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

# Multiply-adds per image for training: forward MACs x 3, less the first layer's data gradient.
# lenet300: 784*300 + 300*100 + 100*10 = 266,200 forward MACs; first layer 235,200.
# lenet5: conv1 24*24*20*25 = 288,000; conv2 8*8*50*500 = 1,600,000; fc1 400,000; fc2 5,000.
declare -A train_flops=(
    [lenet300]=$(( 2 * (3 * 266200 - 235200) ))
    [lenet5]=$(( 2 * (3 * 2293000 - 288000) ))
)
sgemm=$(OPENBLAS_NUM_THREADS=$threads "$bin/bench" sgemm --sizes 1024 --repeats 5 | awk '/^sgemm/ {for (i=1;i<=NF;i++) if ($i ~ /^gflops=/) {sub("gflops=","",$i); print $i}}')
echo "sgemm 1024: $sgemm GFLOP/s ($threads threads); load: $(uptime | sed 's/.*load average: //')"
# Speed does not depend on the learning rate; 0.01 keeps every run finite: our LeNet-5 (Glorot
# initialisation, Nesterov lr 0.05, cosine) diverges at batch 256 in its first epoch, PyTorch does not.
lr=0.01
printf "%-9s %5s %12s %12s %7s %10s\n" arch batch "ours img/s" "torch img/s" ratio "% of sgemm"
for arch in lenet300 lenet5; do
    for batch in 64 256; do
        ours=$(OPENBLAS_NUM_THREADS=$threads "$bin/compress" train --arch $arch --data mnist --epochs 1 --batch-size $batch --seed 1 --lr $lr 2>&1 \
               | awk '/^epoch 1\/1/ {for (i=1;i<=NF;i++) if ($i=="img/s") {gsub(",","",$(i-1)); print $(i-1)}}')
        torch=$(.venv-bench/bin/python Scripts/bench_train_torch.py $arch $batch $threads $lr 0.9 0.0005 data/mnist \
               | awk '{for (i=1;i<=NF;i++) if ($i ~ /^images_per_second=/) {sub("images_per_second=","",$i); print $i}}')
        ratio=$(python3 -c "print(f'{$ours/$torch:.2f}')")
        fraction=$(python3 -c "print(f'{100*$ours*${train_flops[$arch]}/($sgemm*1e9):.0f}')")
        printf "%-9s %5d %12.0f %12.0f %7s %9s%%\n" $arch $batch "$ours" "$torch" "${ratio}x" "$fraction"
    done
done
