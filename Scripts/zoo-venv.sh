# Sourced by check-keras-zoo.sh, make-graph-fixtures.sh and bench-inference.sh: makes sure .venv-zoo
# (git-ignored) holds keras 3, torch, torchvision, h5py and numpy, and sets $zoo_python and
# KERAS_BACKEND=torch. torch comes from PyPI (a large download, once).
zoo_venv="${ZOO_VENV:-.venv-zoo}"
export KERAS_BACKEND=torch
export PYTHONHASHSEED=0
if [ ! -x "$zoo_venv/bin/python" ] \
    || ! "$zoo_venv/bin/python" -c "import keras, torch, torchvision, h5py, numpy; assert keras.__version__.startswith('3.')" 2>/dev/null; then
    echo "installing keras, torch, torchvision, h5py and numpy into $zoo_venv (large download, once)"
    [ -x "$zoo_venv/bin/python" ] || python3 -m venv "$zoo_venv"
    "$zoo_venv/bin/pip" install --quiet "keras>=3,<4" torch torchvision h5py numpy
fi
zoo_python="$zoo_venv/bin/python"
