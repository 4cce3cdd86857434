"""PyTorch side of Scripts/bench-layers.sh: milliseconds per layer shape, eager CPU.

Reads the shapes `bench layers --list 1` prints (one per line:
`name kind height width in out kernel stride counts...`) and, for each, times inference
(`torch.no_grad()`, eval mode) and one forward + backward pass (train mode, gradient of the input
too, seed of ones) at the given batch, best of REPEATS or more calls after one warm-up call (as `bench layers`). Every case runs in
both memory formats, contiguous (NCHW) and channels_last, and the faster one counts, so torch
gets its best layout per layer; the format is printed. Output lines match `bench layers`:
    layer NAME infer_ms=1.234 train_ms=5.678 infer_format=cl train_format=nchw
usage: python bench_layers_torch.py SHAPES_FILE BATCH THREADS [REPEATS] [TRAINING 0|1]
"""
import sys
import time

import torch
from torch import nn


def module_for(kind, cin, cout, kernel, stride):
    if kind == "conv":
        return nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)
    if kind == "depthwise":
        return nn.Conv2d(cin, cin, kernel, stride=stride, padding=kernel // 2, groups=cin, bias=False)
    if kind == "batchnorm":
        bn = nn.BatchNorm2d(cin, eps=1e-3, momentum=0.01)
        with torch.no_grad():
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 1.5)
        return bn
    if kind == "relu":
        return nn.ReLU()
    if kind == "relu6":
        return nn.ReLU6()
    if kind == "maxpool":
        return nn.MaxPool2d(kernel, stride=stride, padding=kernel // 2)
    if kind == "add":
        return None
    raise SystemExit(f"unknown layer kind {kind}")


def best_ms(body, repeats):
    """Best of at least `repeats` calls after a warm-up; short calls repeat for 0.3 s (at most 100)."""
    body()
    best, spent, calls = float("inf"), 0.0, 0
    while calls < repeats or (spent < 0.3 and calls < 100):
        start = time.perf_counter()
        body()
        elapsed = time.perf_counter() - start
        best, spent, calls = min(best, elapsed), spent + elapsed, calls + 1
    return best * 1e3


def measure(kind, module, inputs, repeats, training):
    if not training:
        if module is not None:
            module.eval()

        def infer():
            with torch.no_grad():
                return inputs[0] + inputs[1] if module is None else module(inputs[0])
        return best_ms(infer, repeats)
    if module is not None:
        module.train()
    leaves = [t.detach().requires_grad_(True) for t in inputs]

    def step():
        y = leaves[0] + leaves[1] if module is None else module(leaves[0])
        y.backward(torch.ones_like(y))
        for t in leaves:
            t.grad = None
        if module is not None:
            module.zero_grad(set_to_none=True)
    return best_ms(step, repeats)


def main():
    path, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    with_training = (sys.argv[5] if len(sys.argv) > 5 else "1") == "1"
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, {torch.backends.cpu.get_cpu_capability()}")
    for line in open(path):
        fields = line.split()
        if not fields:
            continue
        name, kind = fields[0], fields[1]
        height, width, cin, cout, kernel, stride = map(int, fields[2:8])
        module = module_for(kind, cin, cout, kernel, stride)
        results = {}
        for fmt, memory_format in (("nchw", torch.contiguous_format), ("cl", torch.channels_last)):
            if module is not None:
                module.to(memory_format=memory_format)
            inputs = [torch.empty(batch, cin, height, width).uniform_(-1, 1).contiguous(memory_format=memory_format)
                      for _ in range(2 if kind == "add" else 1)]
            infer = measure(kind, module, inputs, repeats, False)
            train = measure(kind, module, inputs, repeats, True) if with_training else 0.0
            results[fmt] = (infer, train)
        infer_format = min(results, key=lambda f: results[f][0])
        train_format = min(results, key=lambda f: results[f][1])
        print(f"layer {name} infer_ms={results[infer_format][0]:.3f} train_ms={results[train_format][1]:.3f} "
              f"infer_format={infer_format} train_format={train_format}", flush=True)


if __name__ == "__main__":
    main()
