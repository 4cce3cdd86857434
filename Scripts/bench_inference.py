"""Python side of Scripts/bench-inference.sh: builds the Keras models and data files for our tool,
and times PyTorch eager CPU on torchvision's same architectures.

usage:
  bench_inference.py make WORK_DIR IMAGES          mobilenetv2.h5 (alpha 1.0) and resnet50.h5 (224x224x3,
                                                   1000 classes, weights=None), images.h5 (IMAGES random
                                                   uint8 224x224x3 images, labels 0..9), and for training
                                                   mobilenetv2_a035_32.h5 (alpha 0.35, 32x32x3, 10 classes)
                                                   with train32.h5 (IMAGES x 8 random 32x32x3 images)
  bench_inference.py torch-infer ARCH BATCH THREADS IMAGES REPEATS
                                                   ARCH: mobilenet_v2 or resnet50; eval mode, inference_mode,
                                                   IMAGES random images in batches of BATCH, after one
                                                   warm-up pass; prints the best and median pass
  bench_inference.py torch-train BATCH THREADS STEPS
                                                   mobilenet_v2(width_mult=0.35, num_classes=10) at 32x32,
                                                   SGD Nesterov (lr 0.01, momentum 0.9, weight decay 5e-4),
                                                   train mode; STEPS steps after 3 warm-up steps, the
                                                   median step gives images_per_second
Printed lines are `key=value` pairs that bench-inference.sh reads (images_per_second=...).
"""
import os
import statistics
import sys
import time


def make(work, images):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import h5py
    import keras
    import numpy as np

    os.makedirs(work, exist_ok=True)
    builders = {
        "mobilenetv2.h5": lambda: keras.applications.MobileNetV2(weights=None),
        "resnet50.h5": lambda: keras.applications.ResNet50(weights=None),
        "mobilenetv2_a035_32.h5": lambda: keras.applications.MobileNetV2(
            alpha=0.35, weights=None, input_shape=(32, 32, 3), classes=10),
    }
    for name, builder in builders.items():
        path = os.path.join(work, name)
        if os.path.isfile(path):
            continue
        keras.utils.set_random_seed(1)
        model = builder()
        model.save(path)
        print(f"{name}: {model.count_params():,} parameters", flush=True)
    rng = np.random.default_rng(1)
    path = os.path.join(work, "images.h5")
    if not os.path.isfile(path):
        with h5py.File(path, "w") as f:
            f["x"] = rng.integers(0, 256, size=(images, 224, 224, 3), dtype=np.uint8)
            f["y"] = rng.integers(0, 10, size=(images,), dtype=np.int64)
    path = os.path.join(work, "train32.h5")
    if not os.path.isfile(path):
        with h5py.File(path, "w") as f:
            f["x"] = rng.integers(0, 256, size=(images * 8, 32, 32, 3), dtype=np.uint8)
            f["y"] = rng.integers(0, 10, size=(images * 8,), dtype=np.int64)


def torch_infer(arch, batch, threads, images, repeats):
    import torch
    import torchvision

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = getattr(torchvision.models, arch)(weights=None).eval()
    x = torch.rand(images, 3, 224, 224)

    def one_pass():
        start = time.perf_counter()
        with torch.inference_mode():
            for first in range(0, images, batch):
                model(x[first:first + batch])
        return time.perf_counter() - start

    one_pass()  # warm-up
    seconds = [one_pass() for _ in range(repeats)]
    best, median = min(seconds), statistics.median(seconds)
    print(f"torch {torch.__version__} arch={arch} batch={batch} threads={torch.get_num_threads()} images={images} "
          f"images_per_second={images / best:.2f} median_images_per_second={images / median:.2f} "
          f"best_seconds={best:.3f}")


def torch_train(batch, threads, steps):
    import torch
    import torchvision
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = torchvision.models.mobilenet_v2(weights=None, width_mult=0.35, num_classes=10).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch * (steps + 3), 3, 32, 32)
    y = torch.randint(0, 10, (batch * (steps + 3),))

    def step(i):
        xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        return loss.item()

    for i in range(3):
        step(i)
    times = []
    for i in range(3, 3 + steps):
        start = time.perf_counter()
        loss = step(i)
        times.append(time.perf_counter() - start)
    median, best = statistics.median(times), min(times)
    print(f"torch {torch.__version__} arch=mobilenet_v2_035_32 batch={batch} threads={torch.get_num_threads()} "
          f"steps={steps} images_per_second={batch / median:.2f} best_images_per_second={batch / best:.2f} "
          f"median_ms_per_step={1000 * median:.1f} loss={loss:.3f}")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    command, args = argv[1], argv[2:]
    if command == "make" and len(args) == 2:
        make(args[0], int(args[1]))
    elif command == "torch-infer" and len(args) == 5:
        torch_infer(args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4]))
    elif command == "torch-train" and len(args) == 3:
        torch_train(int(args[0]), int(args[1]), int(args[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
