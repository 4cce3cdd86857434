"""Loads a Keras .h5 model and predicts the images of an HDF5 data file (x, uint8, scaled by
1/255 as `compress eval --normalize unit` does), printing top-1 against y and the seconds of
the prediction alone; the whole process is timed by the caller.

usage: keras_eval_timing.py MODEL.h5 DATA.h5 [batch]
"""
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
import h5py  # noqa: E402
import numpy as np  # noqa: E402

model = keras.models.load_model(sys.argv[1], compile=False)
with h5py.File(sys.argv[2], "r") as f:
    x = f["x"][...].astype(np.float32) / 255.0
    y = f["y"][...]
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 16
start = time.perf_counter()
logits = model.predict(x, batch_size=batch, verbose=0)
seconds = time.perf_counter() - start
top1 = float(np.mean(np.argmax(logits, axis=1) == y))
print(f"keras {keras.__version__} ({keras.backend.backend()}): {len(x)} images, top-1 {top1:.4f}, predict {seconds:.2f} s")
