"""Builds keras.applications VGG16 (weights=None, seeded) as a legacy Keras .h5 file, and a data
file of N random 224x224x3 images with labels, for Scripts/bench-scale.sh.

usage: make_vgg16.py OUT_DIR [N]
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import h5py  # noqa: E402
import numpy as np  # noqa: E402

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 16
keras.utils.set_random_seed(1)
model = keras.applications.VGG16(weights=None)
model.save(os.path.join(out, "vgg16.h5"))
rng = np.random.default_rng(1)
with h5py.File(os.path.join(out, "images.h5"), "w") as f:
    f["x"] = rng.integers(0, 256, size=(count, 224, 224, 3), dtype=np.uint8)
    f["y"] = rng.integers(0, 10, size=(count,), dtype=np.int64)
print(f"vgg16.h5: {model.count_params():,} parameters; images.h5: {count} images")
