#!/usr/bin/env bash
# Writes the four canonical (uncompressed) Fashion-MNIST IDX files into
# data/fashion-mnist/, taken from Debian's `dataset-fashion-mnist` package
# (which ships them gzip-compressed under /usr/share/datasets/fashion-mnist/).
#
# Debian recompressed the .gz files, so the upstream .gz MD5s do not apply.
# Verified instead: the structure (IDX magic, counts 60000/10000, 28x28 images,
# exact file sizes, labels in 0..9 with the balanced class counts of
# Fashion-MNIST: 6000 per class in train, 1000 per class in test) and the MD5s
# of the *uncompressed* upstream files (as published alongside upstream's
# train-images-idx3-ubyte.gz 8d4fb7e6..., etc. in several public downloaders).
#
# Idempotent: if the four files already exist and verify, nothing is done.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
OUT_DIR="$REPO_ROOT/data/fashion-mnist"
PKG=dataset-fashion-mnist
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

log() { echo "fetch-fashion-mnist: $*"; }
die() { echo "fetch-fashion-mnist: ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 not found"

# verify DIR: checks the four uncompressed IDX files in DIR; exit 0 iff all OK.
verify() {
  python3 - "$1" <<'PY'
import os, struct, sys
d = sys.argv[1]
import hashlib
spec = {
    "train-images-idx3-ubyte": (0x803, 60000, True, "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
    "train-labels-idx1-ubyte": (0x801, 60000, False, "9018921c3c673c538a1fc5bad174d6f9"),
    "t10k-images-idx3-ubyte": (0x803, 10000, True, "8181f5470baa50b63fa0f6fddb340f0a"),
    "t10k-labels-idx1-ubyte": (0x801, 10000, False, "15d484375f8d13e6eb1aabb0c3f46965"),
}
ok = True
for name, (magic, n, is_img, md5) in spec.items():
    p = os.path.join(d, name)
    if not os.path.isfile(p):
        print(f"  missing {name}"); ok = False; continue
    with open(p, "rb") as f:
        data = f.read()
    hdr = 16 if is_img else 8
    if len(data) < hdr:
        print(f"  {name}: too short"); ok = False; continue
    m, cnt = struct.unpack(">II", data[:8])
    if m != magic or cnt != n:
        print(f"  {name}: magic 0x{m:08x} count {cnt}, expected 0x{magic:08x} {n}"); ok = False; continue
    if is_img:
        rows, cols = struct.unpack(">II", data[8:16])
        if (rows, cols) != (28, 28):
            print(f"  {name}: {rows}x{cols}, expected 28x28"); ok = False; continue
        expected = hdr + n * 784
    else:
        expected = hdr + n
    if len(data) != expected:
        print(f"  {name}: size {len(data)}, expected {expected}"); ok = False; continue
    if not is_img:
        counts = [0] * 256
        for b in data[hdr:]:
            counts[b] += 1
        if any(counts[10:]) or counts[:10] != [n // 10] * 10:
            print(f"  {name}: unexpected label histogram {counts[:10]}"); ok = False; continue
    got = hashlib.md5(data).hexdigest()
    if got != md5:
        print(f"  {name}: MD5 {got}, expected {md5}"); ok = False; continue
    print(f"  verified {name}: magic 0x{m:08x}, count {cnt}, md5 {got}")
sys.exit(0 if ok else 1)
PY
}

if [[ -d "$OUT_DIR" ]] && verify "$OUT_DIR" >/dev/null 2>&1; then
  log "all four IDX files already present in $OUT_DIR with valid structure and MD5s; nothing to do."
  exit 0
fi

if ! dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed"; then
  command -v apt-get >/dev/null || die "$PKG is not installed and apt-get is unavailable"
  SUDO=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install $PKG"
    SUDO="sudo"
  fi
  log "installing Debian package $PKG"
  if ! apt-cache show "$PKG" >/dev/null 2>&1; then
    log "package not in apt cache; running apt-get update"
    $SUDO apt-get update -q || die "apt-get update failed"
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "$PKG" || die "apt-get install $PKG failed"
else
  log "Debian package $PKG already installed"
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

for f in "${FILES[@]}"; do
  src="$(dpkg -L "$PKG" | grep -E "/${f}(\.gz)?\$" | head -n1 || true)"
  [[ -n "$src" && -f "$src" ]] || die "could not find $f(.gz) in 'dpkg -L $PKG'"
  if [[ "$src" == *.gz ]]; then
    gzip -dc "$src" > "$TMP/$f" || die "failed to decompress $src"
  else
    cp "$src" "$TMP/$f"
  fi
  log "extracted $src"
done

if ! verify "$TMP"; then
  die "verification failed; nothing written to $OUT_DIR"
fi

mkdir -p "$OUT_DIR"
for f in "${FILES[@]}"; do
  mv -f "$TMP/$f" "$OUT_DIR/$f"
  log "OK  $f  $(stat -c %s "$OUT_DIR/$f") bytes  md5 $(md5sum "$OUT_DIR/$f" | cut -d' ' -f1)"
done
log "wrote 4 verified IDX files to $OUT_DIR"
