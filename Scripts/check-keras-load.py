"""Checks that Keras loads a model file written by compress and predicts what compress predicts.

usage: KERAS_BACKEND=jax python3 Scripts/check-keras-load.py MODEL.h5 EXPECTED_ACCURACY [DATA_DIR]
Loads MODEL.h5 with keras.models.load_model, evaluates top-1 accuracy on the MNIST test set
(pixels / 255) and exits 1 unless it equals EXPECTED_ACCURACY (what `compress eval --json`
reported) to 4 decimals.
"""
import os
import sys

import numpy as np


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    import keras
    path, expected = sys.argv[1], float(sys.argv[2])
    data_dir = sys.argv[3] if len(sys.argv) > 3 else "data/mnist"
    model = keras.models.load_model(path, compile=False)
    images = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte")).astype(np.float32) / 255.0
    labels = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"))
    images = images.reshape((images.shape[0],) + tuple(model.input_shape[1:]))
    predictions = model.predict(images, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(predictions, axis=1) == labels))
    print(f"keras {keras.__version__} loaded {path}: {model.count_params()} parameters, test accuracy {accuracy:.4f}")
    if abs(accuracy - expected) > 0.5e-4:
        print(f"expected accuracy {expected:.4f}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
