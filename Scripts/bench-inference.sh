#!/usr/bin/env bash
# Inference speed (issue 14's acceptance): keras.applications MobileNetV2 (alpha 1.0) and ResNet50
# at 224x224x3 (weights=None, 1000 classes), batch 16, `compress eval` against PyTorch eager CPU on
# torchvision's mobilenet_v2 and resnet50, in the same run with the same thread count (ours:
# NN_NUM_THREADS and OPENBLAS_NUM_THREADS; torch: torch.set_num_threads). Target: ours >= 1.0x.
# Also one training step of MobileNetV2 alpha 0.35 at 32x32x3 (10 classes): `compress train`
# (1 epoch of IMAGES x 8 random images, batch 32; its img/s line) against torchvision's
# mobilenet_v2(width_mult=0.35, num_classes=10) with the same optimizer (SGD Nesterov, momentum 0.9,
# L2 5e-4; lr 0.01 on both sides, which keeps both finite: speed does not depend on it), batch 32.
#
# Our figure is the images/s that eval prints (the inference alone, model loading left out); the
# torch figure is the best of REPEATS passes over the same number of images after a warm-up pass
# (the median is printed beside it); for training, our epoch's img/s against torch's median step
# (10 timed after 3 warm-up ones). Images are random: the speed does not depend on them. On a
# loaded machine torch's figures swing by 2-4x from run to run: compare on an idle one.
# Where our tool cannot run a model yet (graph models before issue 14), its row reads
# "ours: not measurable yet" with the tool's first error line, and the script goes on.
#
# usage: Scripts/bench-inference.sh [threads] [work dir]   default: nproc, /tmp/compress-bench-inference
#   IMAGES        images per inference pass (default 32: two batches of 16)
#   REPEATS       torch passes, the best is kept (default 3)
#   TORCH_ONLY=1  only the PyTorch half (e.g. to check it without the release binary)
#   SCRATCH_PATH  SwiftPM build directory (default .build); the release binary is built only when
#                 missing (REBUILD=1 builds it anyway)
# Makes .venv-zoo with keras, torch, torchvision and h5py on first use (a large download).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-$(nproc)}"
work="${2:-/tmp/compress-bench-inference}"
images="${IMAGES:-32}"
repeats="${REPEATS:-3}"
batch=16
train_batch=32
scratch="${SCRATCH_PATH:-.build}"
torch_only="${TORCH_ONLY:-0}"
mkdir -p "$work"

# shellcheck source=Scripts/zoo-venv.sh
source Scripts/zoo-venv.sh
compress="$scratch/release/compress"
if [ "$torch_only" != 1 ] && { [ ! -x "$compress" ] || [ "${REBUILD:-0}" = 1 ]; }; then
    echo "bench-inference: building the release binary (several minutes)"
    swift build -c release --scratch-path "$scratch" --product compress >/dev/null
    compress="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/compress"
fi
export NN_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads

echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; threads used: $threads; load: $(uptime | sed 's/.*load average: //')"
echo "torch: $("$zoo_python" -c 'import torch; print(torch.__version__, "| mkldnn", torch.backends.mkldnn.is_available(), "|", torch.backends.cpu.get_cpu_capability())')"
if [ "$torch_only" != 1 ]; then
    "$compress" doctor | grep -iE 'blas|kernel|thread' | sed 's/^/ours: /' || true
fi
"$zoo_python" Scripts/bench_inference.py make "$work" "$images"

first_line() { grep -m1 -v '^[[:space:]]*$' "$1" 2>/dev/null | sed "s|^compress: ||; s|^$work/||" | cut -c1-140 || true; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
ratio() { if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then python3 -c "print(f'{$1/$2:.2f}x')"; else echo "-"; fi; }

rows=()
for pair in "mobilenetv2:mobilenet_v2" "resnet50:resnet50"; do
    ours_model="${pair%%:*}"; torch_arch="${pair##*:}"
    line=$("$zoo_python" Scripts/bench_inference.py torch-infer "$torch_arch" $batch "$threads" "$images" "$repeats")
    echo "$line"
    theirs=$(field images_per_second "$line")
    ours="not measurable yet"
    if [ "$torch_only" != 1 ]; then
        if "$compress" eval "$work/$ours_model.h5" --data "$work/images.h5" --batch-size $batch --json \
                >"$work/eval-$ours_model.out" 2>"$work/eval-$ours_model.err"; then
            ours=$(python3 -c 'import json, sys; print("%.2f" % json.load(open(sys.argv[1]))["imagesPerSecond"])' "$work/eval-$ours_model.out")
            echo "ours: $ours_model eval: $ours images/s ($(tr -d '\n ' <"$work/eval-$ours_model.out" | cut -c1-160))"
        else
            echo "ours: $ours_model: not measurable yet: $(first_line "$work/eval-$ours_model.err")"
        fi
    fi
    rows+=("$(printf "%-26s %5d %18s %12s %10s" "$ours_model inference 224" $batch "$ours" "$theirs" "$(ratio "$ours" "$theirs")")")
done

# One training step: the median of 10 steps after 3 warm-up ones on the torch side; one epoch on ours.
line=$("$zoo_python" Scripts/bench_inference.py torch-train $train_batch "$threads" 10)
echo "$line"
theirs=$(field images_per_second "$line")
ours="not measurable yet"
if [ "$torch_only" != 1 ]; then
    if "$compress" train --arch "$work/mobilenetv2_a035_32.h5" --data "$work/train32.h5" --epochs 1 \
            --batch-size $train_batch --lr 0.01 --seed 1 >"$work/train.out" 2>"$work/train.err"; then
        ours=$(awk '/^epoch 1\/1/ {for (i=1;i<=NF;i++) if ($i=="img/s") {gsub(",","",$(i-1)); print $(i-1)}}' "$work/train.out" | tail -1)
        [ -n "$ours" ] || ours="not measurable yet"
        echo "ours: $(grep -E '^epoch 1/1' "$work/train.out" | tail -1)"
    else
        echo "ours: mobilenetv2_a035_32 training: not measurable yet: $(first_line "$work/train.err")"
    fi
fi
rows+=("$(printf "%-26s %5d %18s %12s %10s" "mobilenetv2 a0.35 train 32" $train_batch "$ours" "$theirs" "$(ratio "$ours" "$theirs")")")

echo
printf "%-26s %5s %18s %12s %10s\n" run batch "ours img/s" "torch img/s" "ours/torch"
printf "%s\n" "${rows[@]}"
echo "load after: $(uptime | sed 's/.*load average: //') (figures are only comparable on an otherwise idle machine)"
