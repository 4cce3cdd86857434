#!/usr/bin/env bash
# Per-layer speed: each layer shape of MobileNetV2 and ResNet50 (batch 16, 224x224x3 by default),
# inference and one forward + backward pass, `bench layers` beside PyTorch eager CPU in the same
# run with the same threads, and totals weighted by how often each network runs each shape.
#
# usage: Scripts/bench-layers.sh [threads] [bench layers options...]
#   e.g. Scripts/bench-layers.sh 2 --filter pw/ --repeats 5
#        Scripts/bench-layers.sh 2 --size 32 --alpha 0.35 --batch 64    (MobileNetV2 0.35 training shapes)
#   SCRATCH_PATH  SwiftPM build directory (default .build)
# Makes .venv-bench with torch from PyPI on first use (a multi-GB download). Torch runs every
# case in both NCHW and channels_last and keeps the faster (printed per layer).
# Ratio = torch ms / our ms: above 1 we are faster.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
shift || true
scratch="${SCRATCH_PATH:-.build}"

if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c "import torch" 2>/dev/null; then
    echo "bench-layers: creating .venv-bench with torch (large download)"
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet torch numpy
fi
swift build -c release --scratch-path "$scratch" --product bench >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

# Options that set the shapes or the runs, passed on to torch too.
batch=16 repeats=3 training=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --batch) batch="${args[i+1]}" ;;
        --repeats) repeats="${args[i+1]}" ;;
        --training) training="${args[i+1]}" ;;
    esac
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin/bench" layers --list 1 "$@" > "$work/shapes"
OPENBLAS_NUM_THREADS=$threads NN_NUM_THREADS=$threads "$bin/bench" layers "$@" | tee "$work/ours" | grep '^#'
OMP_NUM_THREADS=$threads .venv-bench/bin/python Scripts/bench_layers_torch.py "$work/shapes" "$batch" "$threads" "$repeats" "$training" \
    > "$work/torch"
grep '^#' "$work/torch"
echo "# load: $(uptime | sed 's/.*load average: //')"

python3 - "$work/shapes" "$work/ours" "$work/torch" <<'EOF'
import sys

def parse(path):
    rows = {}
    for line in open(path):
        fields = line.split()
        if fields and fields[0] == "layer":
            values = dict(f.split("=", 1) for f in fields[2:])
            rows[fields[1]] = values
    return rows

shapes = [line.split() for line in open(sys.argv[1]) if line.strip()]
ours, torch = parse(sys.argv[2]), parse(sys.argv[3])
networks = ["mobilenetv2", "resnet50"]
totals = {n: [0.0, 0.0, 0.0, 0.0] for n in networks}
print(f"{'layer':34} {'mnv2':>4} {'r50':>4} {'ours inf':>9} {'torch inf':>9} {'ratio':>6} {'ours trn':>9} {'torch trn':>9} {'ratio':>6}  torch layout")
for fields in shapes:
    name, counts = fields[0], list(map(int, fields[8:]))
    o, t = ours[name], torch[name]
    oi, ti, ot, tt = float(o["infer_ms"]), float(t["infer_ms"]), float(o["train_ms"]), float(t["train_ms"])
    ratio = lambda a, b: f"{b / a:.2f}" if a > 0 else "-"
    print(f"{name:34} {counts[0]:4} {counts[1]:4} {oi:9.2f} {ti:9.2f} {ratio(oi, ti):>6} {ot:9.2f} {tt:9.2f} {ratio(ot, tt):>6}"
          f"  {t['infer_format']}/{t['train_format']}")
    for n, c in zip(networks, counts):
        for k, v in enumerate((oi, ti, ot, tt)):
            totals[n][k] += c * v
for n in networks:
    oi, ti, ot, tt = totals[n]
    if oi > 0:
        print(f"weighted {n:25} {'':9} {oi:9.1f} {ti:9.1f} {ti / oi:6.2f} {ot:9.1f} {tt:9.1f} {tt / ot if ot else 0:6.2f}")
EOF
