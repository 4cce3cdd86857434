#!/usr/bin/env bash
# Huffman coding benchmark: encode and decode throughput of the table-driven coder, and the size
# of LeNet-300-100's first-layer index stream beside zlib -9, bzip2 -9 and xz -9 of the same
# bytes, all in the same run.
#
# usage: Scripts/bench-huffman.sh [MODEL.h5] [symbols] [repeats]
#   MODEL.h5      a pruned, k-means-quantized LeNet-300-100 (default: made here from
#                 fixtures/lenet300.h5 with Han's kept fractions 8/9/26% and 6-bit k-means, no
#                 retraining; `compress quantize` needs data/mnist, fetched when missing)
#   symbols       symbols per throughput run (default 16000000); repeats: best of (default 5)
#   SCRATCH_PATH  SwiftPM build directory to use (default: .build)
#
# The model is encoded with `compress huffman` (default index widths: 5 bits for Dense). The
# index stream of fc1.kernel is rebuilt from the model's mask in the element order and index
# width the file uses (Python, h5py), checked against the file's symbol count, and written one
# byte per gap symbol; zlib, bz2 and lzma (Python's modules, levels 9 and preset 9) compress those
# bytes and the same symbols packed into b-bit fields, and the smaller of the two counts. Ours is
# the stream's size in the .dcz (code-length table and code words), which `bench huffman --file`
# recomputes from the same bytes. Throughput: `bench huffman` on that stream repeated (with the
# codes the file uses: two when the gaps after fillers get their own code) and on symbols drawn
# from a 6-bit centroid-index-like distribution (one code); one thread; noisy on a shared
# machine, so the load average is printed.
set -euo pipefail

model="${1:-}"
symbols="${2:-16000000}"
repeats="${3:-5}"
scratch="${SCRATCH_PATH:-.build}"
cd "$(dirname "$0")/.."

swift build -c release --product compress --scratch-path "$scratch"
swift build -c release --product bench --scratch-path "$scratch"
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"

python=python3
if ! python3 -c "import h5py, numpy" 2>/dev/null; then
    if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
    .venv-bench/bin/pip install --quiet h5py numpy
    python=.venv-bench/bin/python
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$model" ]; then
    [ -f data/mnist/train-images-idx3-ubyte ] || [ -f data/mnist/train-images-idx3-ubyte.gz ] || Scripts/fetch-mnist.sh
    "$bin/compress" prune fixtures/lenet300.h5 -o "$work/pruned.h5" --sparsity 'fc1=0.92,fc2=0.91,fc3=0.74' >/dev/null
    "$bin/compress" quantize "$work/pruned.h5" -o "$work/quantized.h5" --method kmeans --bits 6 >/dev/null
    model="$work/quantized.h5"
fi

echo "== compress huffman $model"
"$bin/compress" huffman "$model" -o "$work/model.dcz" --json >"$work/report.json"
"$bin/compress" inspect "$work/model.dcz"

echo "== fc1 index stream: ours and general-purpose compressors of the same bytes"
"$python" - "$model" "$work/report.json" "$work/fc1-gaps.bin" "$work/fc1-bits" <<'PY'
import bz2, json, lzma, sys, zlib
import h5py, numpy as np

model, report_path, out_path, bits_path = sys.argv[1:5]
report = json.load(open(report_path))
kernel = next(p for l in report["summary"]["layers"] if l["name"] == "fc1" for p in l["parameters"] if p["name"] == "kernel")
assert kernel["sparse"], "fc1.kernel is not stored sparse: is the model pruned?"
bits, order, stream = kernel["indexBits"], kernel["order"], kernel["indexStream"]
with h5py.File(model, "r") as f:
    mask = f["compression/fc1/kernel/mask"][()]
kept = (mask.T if order == "transposed" else mask).reshape(-1) != 0
m = (1 << bits) - 1
symbols, position = [], -1
for step in np.flatnonzero(kept):
    gap = int(step) - position
    while gap > m:
        symbols.append(m)
        gap -= m
    symbols.append(gap - 1)
    position = int(step)
rest = kept.size - 1 - position
symbols += [m] * (rest // m)
assert len(symbols) == stream["symbols"], f"{len(symbols)} symbols, the file has {stream['symbols']}"
raw = bytes(symbols)
open(out_path, "wb").write(raw)
open(bits_path, "w").write(str(bits))
packed_bits = 0
accumulator, filled, packed = 0, 0, bytearray()
for s in symbols:
    accumulator |= s << filled
    filled += bits
    while filled >= 8:
        packed.append(accumulator & 0xFF)
        accumulator >>= 8
        filled -= 8
if filled:
    packed.append(accumulator)
packed = bytes(packed)
ours = stream["bytes"]
rows = [(f"ours (.dcz, {stream['mode']}: tables + codes)", ours)]
for name, compress in (("zlib -9", lambda b: zlib.compress(b, 9)), ("bzip2 -9", lambda b: bz2.compress(b, 9)),
                       ("xz -9", lambda b: lzma.compress(b, preset=9))):
    rows.append((name, min(len(compress(raw)), len(compress(packed)))))
print(f"fc1.kernel: {int(kept.sum())} kept of {kept.size}, {order} order, b = {bits}, {len(symbols)} gap symbols "
      f"({len(raw)} bytes one per symbol, {len(packed)} bytes packed in {bits} bits)")
for name, size in rows:
    print(f"  {name:<36} {size:>7} bytes  {8 * size / kept.sum():5.2f} bits per kept weight")
smallest = min(size for name, size in rows[1:])
print(f"  ours vs the best general-purpose compressor: {ours} vs {smallest} bytes ({'smaller' if ours < smallest else 'NOT smaller'})")
PY

echo "== Huffman throughput (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
bits="$(cat "$work/fc1-bits")"
"$bin/bench" huffman --file "$work/fc1-gaps.bin" --alphabet $((1 << bits)) --context-symbol $(((1 << bits) - 1)) \
    --symbols "$symbols" --repeats "$repeats"
"$bin/bench" huffman --symbols "$symbols" --repeats "$repeats"
