#!/usr/bin/env bash
# Builds the Keras fixtures in fixtures/ (see Scripts/make-keras-fixtures.py).
# Ensures the Python deps (keras, jax, h5py, numpy) with pip, makes sure MNIST
# is in data/mnist/ (via Scripts/fetch-mnist.sh), and runs Keras 3 on JAX.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

log() { echo "make-keras-fixtures: $*"; }
die() { echo "make-keras-fixtures: ERROR: $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 not found"

export KERAS_BACKEND=jax
export JAX_PLATFORMS="${JAX_PLATFORMS:-cpu}"
export PYTHONHASHSEED=0
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

missing=()
for mod in keras jax h5py numpy; do
  python3 -c "import $mod" >/dev/null 2>&1 || missing+=("$mod")
done
if ((${#missing[@]})); then
  pkgs=()
  for m in "${missing[@]}"; do
    case "$m" in
      jax) pkgs+=("jax[cpu]") ;;
      *) pkgs+=("$m") ;;
    esac
  done
  log "installing missing python packages: ${pkgs[*]}"
  python3 -m pip install --quiet "${pkgs[@]}" || die "pip install ${pkgs[*]} failed"
fi
python3 -c "import keras; assert keras.__version__.split('.')[0] == '3', keras.__version__" \
  || die "Keras 3 is required"

"$SCRIPT_DIR/fetch-mnist.sh"

cd "$REPO_ROOT"
python3 "$SCRIPT_DIR/make-keras-fixtures.py"
python3 "$SCRIPT_DIR/make-mnist-sample.py"
