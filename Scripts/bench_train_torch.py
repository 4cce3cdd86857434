"""PyTorch side of Scripts/bench-train.sh: images/s of one training epoch on MNIST.

Trains LeNet-300-100 or LeNet-5 (the same architectures and optimizer as `compress train`'s
defaults: SGD with Nesterov momentum and L2 weight decay) for one epoch on the 60k MNIST training images held in memory, eager mode, on CPU with
the given number of threads, and prints one line:
    torch arch=lenet300 batch=64 images_per_second=12345.6 seconds=4.86 loss=0.25
usage: python bench_train_torch.py ARCH BATCH THREADS LR MOMENTUM WEIGHT_DECAY DATA_DIR
"""
import os
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    rank = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def model_for(arch):
    if arch == "lenet300":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                             nn.Linear(100, 10))
    if arch == "lenet5":
        return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    raise SystemExit(f"unknown arch {arch}")


def main():
    arch, batch, threads, lr, momentum, weight_decay, data_dir = sys.argv[1:8]
    batch, threads, lr, momentum, weight_decay = int(batch), int(threads), float(lr), float(momentum), float(weight_decay)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    images = torch.from_numpy(read_idx(os.path.join(data_dir, "train-images-idx3-ubyte")).astype(np.float32) / 255.0)
    images = images.reshape(-1, 1, 28, 28)
    labels = torch.from_numpy(read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte")).astype(np.int64))
    model = model_for(arch)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    count = images.shape[0]
    order = torch.randperm(count)
    start = time.perf_counter()
    total_loss = 0.0
    for first in range(0, count, batch):
        index = order[first:first + batch]
        x, y = images[index], labels[index]
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(index)
    seconds = time.perf_counter() - start
    print(f"torch arch={arch} batch={batch} images_per_second={count / seconds:.1f} "
          f"seconds={seconds:.3f} loss={total_loss / count:.4f}")


if __name__ == "__main__":
    main()
