#!/usr/bin/env python3
"""Makes a 100-class data set from Fashion-MNIST (or MNIST): 32x32x3 colour images, as HDF5 and .npz.

Each 28x28 image is resized to 32x32 (bilinear) and coloured with one of ten tints; the tint is a
deterministic function of the example's index, (7 * index + 3) % 10, and the label is
original_label * 10 + tint. A model must tell both the garment (or digit) and the colour apart, so
the 100 classes are learnable, and the same input files always give the same bytes.

Writes, into --out (default data/<source>-100):
  <name>.h5   datasets x_train [N, 32, 32, 3] uint8, y_train [N] int64, x_test, y_test
  <name>.npz  the same four arrays (np.savez_compressed)
and the 100-class architecture text file, <name>.arch, for `compress train --arch`.

usage: python3 Scripts/make-100class-data.py [--source fashion-mnist|mnist] [--out DIR]
                                              [--train N] [--test N]
Run Scripts/fetch-fashion-mnist.sh (or fetch-mnist.sh) first. numpy and h5py come from PyPI into
.venv-data, which this script creates on first use.
Then, for example:
  compress train --arch data/fashion-mnist-100/fashion-mnist-100.arch --data data/fashion-mnist-100/fashion-mnist-100.npz -o m100.h5
  compress eval m100.h5 --data data/fashion-mnist-100/fashion-mnist-100.h5
"""
import argparse
import gzip
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-data")

try:
    import h5py
    import numpy as np
except ImportError:
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.executable) == os.path.realpath(python):
        sys.exit("make-100class-data: numpy and h5py are missing from .venv-data; remove it and run again")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([python, "-m", "pip", "install", "--quiet", "numpy", "h5py"])
    os.execv(python, [python] + sys.argv)

TINTS = np.array([  # RGB weights of the ten tints
    [1.0, 1.0, 1.0], [1.0, 0.2, 0.2], [0.2, 1.0, 0.2], [0.2, 0.2, 1.0], [1.0, 1.0, 0.2],
    [1.0, 0.2, 1.0], [0.2, 1.0, 1.0], [1.0, 0.6, 0.2], [0.6, 0.2, 1.0], [0.5, 0.5, 0.5],
], dtype=np.float32)

ARCHITECTURE = """\
# 100 classes from 32x32x3 images (Scripts/make-100class-data.py)
input 32x32x3
conv2d conv1 filters=16 kernel=3 padding=same activation=relu
maxpool2d pool1 size=2
conv2d conv2 filters=32 kernel=3 padding=same activation=relu
maxpool2d pool2 size=2
flatten
dense fc1 units=256 activation=relu
dense fc2 units=100 activation=softmax
"""


def read_idx(path):
    """The array of a plain or gzip IDX file of unsigned bytes."""
    for candidate in (path, path + ".gz"):
        if os.path.exists(candidate):
            with open(candidate, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            rank = data[3]
            shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)
    sys.exit(f"make-100class-data: {path} is missing; run Scripts/fetch-{os.path.basename(os.path.dirname(path))}.sh first")


def resize_bilinear(images, size):
    """[N, H, W] to [N, size, size], bilinear with aligned corners, as float32."""
    n, h, w = images.shape
    ys = np.linspace(0, h - 1, size)
    xs = np.linspace(0, w - 1, size)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    wy = (ys - y0)[None, :, None]
    wx = (xs - x0)[None, None, :]
    f = images.astype(np.float32)
    top = f[:, y0][:, :, x0] * (1 - wx) + f[:, y0][:, :, x1] * wx
    bottom = f[:, y1][:, :, x0] * (1 - wx) + f[:, y1][:, :, x1] * wx
    return top * (1 - wy) + bottom * wy


def make_split(images, labels, count):
    images, labels = images[:count], labels[:count].astype(np.int64)
    tint = (7 * np.arange(len(labels)) + 3) % 10
    resized = resize_bilinear(images, 32)
    coloured = resized[..., None] * TINTS[tint][:, None, None, :]
    x = np.clip(np.rint(coloured), 0, 255).astype(np.uint8)
    y = (labels * 10 + tint) % 100
    return x, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", choices=["fashion-mnist", "mnist"], default="fashion-mnist")
    parser.add_argument("--out", help="output folder (default data/<source>-100)")
    parser.add_argument("--train", type=int, default=60000, help="training examples (default all 60,000)")
    parser.add_argument("--test", type=int, default=10000, help="test examples (default all 10,000)")
    args = parser.parse_args()
    name = f"{args.source}-100"
    out = args.out or os.path.join(ROOT, "data", name)
    os.makedirs(out, exist_ok=True)
    source = os.path.join(ROOT, "data", args.source)
    arrays = {}
    for split, prefix, count in (("train", "train", args.train), ("test", "t10k", args.test)):
        images = read_idx(os.path.join(source, f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(os.path.join(source, f"{prefix}-labels-idx1-ubyte"))
        arrays[f"x_{split}"], arrays[f"y_{split}"] = make_split(images, labels, count)
    h5_path = os.path.join(out, name + ".h5")
    with h5py.File(h5_path, "w") as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=value, compression="gzip" if key.startswith("x") else None)
    npz_path = os.path.join(out, name + ".npz")
    np.savez_compressed(npz_path, **arrays)
    arch_path = os.path.join(out, name + ".arch")
    with open(arch_path, "w") as f:
        f.write(ARCHITECTURE)
    classes = len(np.unique(arrays["y_train"]))
    print(f"wrote {h5_path}, {npz_path} and {arch_path}: {len(arrays['y_train'])} training and "
          f"{len(arrays['y_test'])} test images 32x32x3, {classes} classes in the training labels")


if __name__ == "__main__":
    main()
