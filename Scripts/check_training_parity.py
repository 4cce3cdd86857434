"""PyTorch side of Scripts/check-training-parity.sh: trains from the same initial weights on the
same minibatches (the training split in file order) with the same optimizer as `compress train`'s
defaults, and prints each step's loss.

Same optimizer: SGD with Nesterov momentum 0.9, learning rate 0.05 decayed by a cosine over the
run's steps (evaluated per step, as the engine does), L2 weight decay 5e-4 on kernels only,
softmax cross-entropy averaged over the batch. The weights come from the engine's Keras .h5
(kernels [kh, kw, in, out] and [in, out]); activations are flattened in H, W, C order as the
engine does, so the dense weights need no permutation.

usage: check_training_parity.py INIT.h5 ARCH BATCH STEPS DATA_DIR THREADS [EPOCHS [ORDER_FILE]]
ORDER_FILE holds the example order as little-endian int32 (bench train-steps --order-out).
"""
import math
import os
import sys

import h5py
import numpy as np
import torch
from torch import nn


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    rank = int.from_bytes(data[0:4], "big") & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


class FlattenHWC(nn.Module):
    def forward(self, x):
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


def model_for(arch):
    if arch == "lenet300":
        return nn.Sequential(FlattenHWC(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                             nn.Linear(100, 10)), ["fc1", "fc2", "fc3"]
    if arch == "lenet5":
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                             FlattenHWC(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10)), \
            ["conv1", "conv2", "fc1", "fc2"]
    raise SystemExit(f"unknown arch {arch}")


def load_weights(model, names, path):
    layers = [m for m in model if isinstance(m, (nn.Linear, nn.Conv2d))]
    with h5py.File(path, "r") as f:
        weights = f["model_weights"]
        for layer, name in zip(layers, names):
            group = weights[name]
            while "kernel" not in group:
                group = group[list(group.keys())[0]]
            kernel = np.array(group["kernel"])
            if isinstance(layer, nn.Conv2d):
                kernel = kernel.transpose(3, 2, 0, 1)
            else:
                kernel = kernel.T
            layer.weight.data = torch.from_numpy(np.ascontiguousarray(kernel))
            layer.bias.data = torch.from_numpy(np.array(group["bias"]))
    return layers


def main():
    init, arch, batch, steps, data_dir, threads = sys.argv[1:7]
    epochs = int(sys.argv[7]) if len(sys.argv) > 7 else 1
    batch, steps = int(batch), int(steps)
    torch.set_num_threads(int(threads))
    images = torch.from_numpy(read_idx(os.path.join(data_dir, "train-images-idx3-ubyte")).astype(np.float32) / 255.0)
    images = images.reshape(-1, 1, 28, 28)
    labels = torch.from_numpy(read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte")).astype(np.int64))
    if len(sys.argv) > 8:
        order = torch.from_numpy(np.fromfile(sys.argv[8], dtype="<i4").astype(np.int64))
        images, labels = images[order], labels[order]
    model, names = model_for(arch)
    layers = load_weights(model, names, init)
    kernels = [layer.weight for layer in layers]
    biases = [layer.bias for layer in layers]
    optimizer = torch.optim.SGD([{"params": kernels, "weight_decay": 5e-4}, {"params": biases, "weight_decay": 0.0}],
                                lr=0.05, momentum=0.9, nesterov=True)
    total = math.ceil(images.shape[0] / batch) * epochs
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        first = (step * batch) % images.shape[0]
        x, y = images[first:first + batch], labels[first:first + batch]
        for group in optimizer.param_groups:
            group["lr"] = 0.05 * 0.5 * (1 + math.cos(math.pi * min(step, total) / total))
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        print(f"step {step + 1} loss {loss.item():.8g}")
        if not math.isfinite(loss.item()):
            break


if __name__ == "__main__":
    main()
