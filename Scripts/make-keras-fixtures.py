#!/usr/bin/env python3
"""Build the Keras test fixtures used by the Swift tests (run via make-keras-fixtures.sh).

Uses Keras 3 with the JAX backend and fixed seeds. Reads MNIST from the IDX
files in data/mnist/ (see Scripts/fetch-mnist.sh); pixels are scaled bytes/255.

Writes into fixtures/:
  tiny-mlp.h5               untrained Input(8) -> Dense(4, relu) -> Dense(3, softmax), legacy HDF5
  tiny-mlp.weights.h5       the same model's weights in the Keras 3 `.weights.h5` format
  lenet300.h5               LeNet-300-100, 1 epoch on MNIST, legacy HDF5 without optimizer state
  lenet5.h5                 Caffe-style LeNet-5, 1 epoch on MNIST, legacy HDF5 without optimizer state
  lenet300-predictions.bin  Keras probabilities for the first 1000 test images, raw LE float32 [1000 x 10]
  lenet5-predictions.bin    same for LeNet-5
  keras-fixtures.json       metadata: param counts, accuracies, argmax predictions, versions

After saving, prints each file's size and an h5ls -r-like listing (groups,
datasets with shape/dtype, attributes with their HDF5 types and values).
"""
import json
import os
import struct
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
if os.environ["KERAS_BACKEND"] != "jax":
    sys.exit(f"make-keras-fixtures: KERAS_BACKEND must be 'jax' (got {os.environ['KERAS_BACKEND']!r})")

import h5py  # noqa: E402
import jax  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST_DIR = os.path.join(REPO, "data", "mnist")
OUT = os.path.join(REPO, "fixtures")
N_PRED = 1000
SEED = 0


def log(msg):
    print(f"make-keras-fixtures: {msg}", flush=True)


# ----------------------------------------------------------------------------- IDX
def read_idx(path):
    """Minimal IDX reader: big-endian magic 0x000008<ndim>, then dims, then uint8 data."""
    with open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {int(np.prod(dims))} bytes of data, got {body.size}")
    return body.reshape(dims)


def load_mnist():
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    for n in names:
        if not os.path.isfile(os.path.join(MNIST_DIR, n)):
            sys.exit(f"make-keras-fixtures: missing {MNIST_DIR}/{n}; run Scripts/fetch-mnist.sh first")
    xtr, ytr, xte, yte = (read_idx(os.path.join(MNIST_DIR, n)) for n in names)
    assert xtr.shape == (60000, 28, 28) and ytr.shape == (60000,)
    assert xte.shape == (10000, 28, 28) and yte.shape == (10000,)
    scale = lambda x: x.astype(np.float32) / np.float32(255.0)  # noqa: E731
    return scale(xtr), ytr.astype(np.int32), scale(xte), yte.astype(np.int32)


# ----------------------------------------------------------------------------- models
def tiny_mlp():
    return keras.Sequential(
        [
            keras.Input(shape=(8,), name="input"),
            keras.layers.Dense(4, activation="relu", name="dense"),
            keras.layers.Dense(3, activation="softmax", name="dense_1"),
        ],
        name="tiny_mlp",
    )


def lenet300():
    return keras.Sequential(
        [
            keras.Input(shape=(784,), name="input"),
            keras.layers.Dense(300, activation="relu", name="fc1"),
            keras.layers.Dense(100, activation="relu", name="fc2"),
            keras.layers.Dense(10, activation="softmax", name="fc3"),
        ],
        name="lenet300",
    )


def lenet5():
    # Caffe's LeNet: conv/pool without nonlinearity, ReLU only after ip1.
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="input"),
            keras.layers.Conv2D(20, (5, 5), padding="valid", activation=None,
                                data_format="channels_last", name="conv1"),
            keras.layers.MaxPooling2D((2, 2), name="pool1"),
            keras.layers.Conv2D(50, (5, 5), padding="valid", activation=None,
                                data_format="channels_last", name="conv2"),
            keras.layers.MaxPooling2D((2, 2), name="pool2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(500, activation="relu", name="fc1"),
            keras.layers.Dense(10, activation="softmax", name="fc2"),
        ],
        name="lenet5",
    )


def compile_model(model):
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


# ----------------------------------------------------------------------------- h5 listing
def _trunc(s, n=300):
    s = str(s)
    return s if len(s) <= n else s[:n] + f"... [{len(s)} chars]"


def _type_desc(tid):
    """Describe an HDF5 datatype (from a TypeID) the way the Swift reader will meet it."""
    if isinstance(tid, h5py.h5t.TypeStringID):
        cset = {h5py.h5t.CSET_ASCII: "ASCII", h5py.h5t.CSET_UTF8: "UTF-8"}.get(tid.get_cset(), tid.get_cset())
        pad = {h5py.h5t.STR_NULLTERM: "NULLTERM", h5py.h5t.STR_NULLPAD: "NULLPAD",
               h5py.h5t.STR_SPACEPAD: "SPACEPAD"}.get(tid.get_strpad(), tid.get_strpad())
        if tid.is_variable_str():
            return f"variable-length string ({cset}, {pad})"
        return f"fixed-length string, {tid.get_size()} bytes ({cset}, {pad})"
    if isinstance(tid, h5py.h5t.TypeVlenID):
        return f"vlen sequence of {_type_desc(tid.get_super())}"
    order = {h5py.h5t.ORDER_LE: "LE", h5py.h5t.ORDER_BE: "BE"}
    if isinstance(tid, h5py.h5t.TypeFloatID):
        return f"IEEE float{tid.get_size() * 8} {order.get(tid.get_order(), '?')}"
    if isinstance(tid, h5py.h5t.TypeIntegerID):
        sign = "int" if tid.get_sign() == h5py.h5t.SGN_2 else "uint"
        return f"{sign}{tid.get_size() * 8} {order.get(tid.get_order(), '?')}"
    return f"{type(tid).__name__} (numpy {tid.dtype})"


def _space_desc(sid):
    kind = sid.get_simple_extent_type()
    if kind == h5py.h5s.SCALAR:
        return "scalar"
    if kind == h5py.h5s.NULL:
        return "null"
    return f"simple {tuple(sid.shape)}"


def _attr_lines(obj, indent):
    lines = []
    for name in obj.attrs.keys():
        aid = h5py.h5a.open(obj.id, name.encode("utf8"))
        desc = f"{_type_desc(aid.get_type())}, dataspace {_space_desc(aid.get_space())}"
        try:
            val = obj.attrs[name]
            if isinstance(val, bytes):
                val = val.decode("utf8", "replace")
            elif isinstance(val, np.ndarray):
                val = [v.decode("utf8", "replace") if isinstance(v, bytes) else v for v in val.tolist()]
        except Exception as e:  # pragma: no cover - listing only
            val = f"<unreadable: {e}>"
        lines.append(f"{indent}@{name}: {desc} = {_trunc(val)}")
    return lines


def h5_listing(path):
    out = []
    with h5py.File(path, "r") as f:
        out.append("/  (Group)")
        out.extend(_attr_lines(f, "    "))

        def visit(name, obj):
            if isinstance(obj, h5py.Group):
                out.append(f"/{name}  (Group)")
            else:
                layout = obj.id.get_create_plist().get_layout()
                layout = {h5py.h5d.CONTIGUOUS: "contiguous", h5py.h5d.CHUNKED: "chunked",
                          h5py.h5d.COMPACT: "compact"}.get(layout, layout)
                out.append(
                    f"/{name}  (Dataset) shape {obj.shape}, {_type_desc(obj.id.get_type())}, "
                    f"{layout}, compression {obj.compression}"
                )
            out.extend(_attr_lines(obj, "    "))

        f.visititems(visit)
    return "\n".join(out)


def format_summary(path):
    """Low-level HDF5 facts a from-scratch reader cares about."""
    with open(path, "rb") as fh:
        raw = fh.read()
    with h5py.File(path, "r") as f:
        sb = f.id.get_create_plist().get_version()[0]
        sizes = f.id.get_create_plist().get_sizes()
        low, high = f.id.get_access_plist().get_libver_bounds()
    sig = lambda s: raw.count(s)  # noqa: E731  (heuristic counts of structure signatures)
    return (f"superblock v{sb}, offset/length sizes {sizes}, libver bounds ({low}, {high}); "
            f"signature counts: OHDR(v2 obj hdr)={sig(b'OHDR')} TREE(v1 B-tree)={sig(b'TREE')} "
            f"SNOD={sig(b'SNOD')} HEAP(local)={sig(b'HEAP')} GCOL(global heap)={sig(b'GCOL')} "
            f"BTHD(v2 B-tree)={sig(b'BTHD')} FRHP(fractal heap)={sig(b'FRHP')}")


def report_file(path):
    print(f"\n===== {os.path.relpath(path, REPO)}  ({os.path.getsize(path)} bytes)", flush=True)
    print(f"format: {format_summary(path)}", flush=True)
    print(h5_listing(path), flush=True)


# ----------------------------------------------------------------------------- main
def main():
    os.makedirs(OUT, exist_ok=True)
    log(f"keras {keras.__version__}, backend {keras.backend.backend()}, jax {jax.__version__}, "
        f"h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version}), numpy {np.__version__}")

    xtr, ytr, xte, yte = load_mnist()
    log(f"MNIST loaded: train {xtr.shape}, test {xte.shape}, pixels in [{xtr.min()}, {xtr.max()}]")

    meta = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "jax_version": jax.__version__,
        "h5py_version": h5py.__version__,
        "hdf5_version": h5py.version.hdf5_version,
        "numpy_version": np.__version__,
        "seed": SEED,
        "input_scaling": "uint8 pixel / 255.0 (float32), MNIST IDX from data/mnist",
        "predictions_format": "raw little-endian float32, row-major [count x 10], softmax probabilities",
        "models": {},
    }
    written = []

    # --- tiny MLP (untrained) ------------------------------------------------
    keras.utils.set_random_seed(SEED)
    tiny = tiny_mlp()
    tiny_path = os.path.join(OUT, "tiny-mlp.h5")
    tiny_w_path = os.path.join(OUT, "tiny-mlp.weights.h5")
    tiny.save(tiny_path)  # legacy HDF5 (untrained, never compiled -> no optimizer)
    tiny.save_weights(tiny_w_path)
    written += [tiny_path, tiny_w_path]
    # Reference output for a fixed input so the Swift side can check a forward pass.
    probe = (np.arange(16, dtype=np.float32).reshape(2, 8) / np.float32(8.0)) - np.float32(0.75)
    meta["models"]["tiny-mlp"] = {
        "file": "tiny-mlp.h5",
        "weights_file": "tiny-mlp.weights.h5",
        "params": int(tiny.count_params()),
        "layers": [layer.name for layer in tiny.layers],
        "weights": {w.path: np.asarray(w.numpy()).astype(float).tolist() for w in tiny.weights},
        "probe_input": probe.astype(float).tolist(),
        "probe_output": np.asarray(tiny.predict(probe, verbose=0)).astype(float).tolist(),
    }

    # --- trained LeNets --------------------------------------------------------
    specs = [
        ("lenet300", lenet300, lambda x: x.reshape(-1, 784), 266_610),
        ("lenet5", lenet5, lambda x: x.reshape(-1, 28, 28, 1), 431_080),
    ]
    for name, build, prep, expected_params in specs:
        keras.utils.set_random_seed(SEED)
        model = build()
        n_params = int(model.count_params())
        if n_params != expected_params:
            sys.exit(f"make-keras-fixtures: {name} has {n_params} params, expected {expected_params}")
        compile_model(model)
        log(f"training {name} ({n_params} params): 1 epoch, batch 128, Adam lr 1e-3")
        model.fit(prep(xtr), ytr, batch_size=128, epochs=1, shuffle=True, verbose=2)

        ev_all = model.evaluate(prep(xte), yte, batch_size=1000, verbose=0, return_dict=True)
        ev_1k = model.evaluate(prep(xte[:N_PRED]), yte[:N_PRED], batch_size=1000, verbose=0, return_dict=True)
        probs = np.asarray(model.predict(prep(xte[:N_PRED]), batch_size=1000, verbose=0), dtype=np.float32)
        assert probs.shape == (N_PRED, 10)
        argmax = probs.argmax(axis=1)
        log(f"{name}: accuracy first {N_PRED} = {ev_1k['accuracy']!r}, full 10k = {ev_all['accuracy']!r}")

        h5_path = os.path.join(OUT, f"{name}.h5")
        model.save(h5_path, include_optimizer=False)
        pred_path = os.path.join(OUT, f"{name}-predictions.bin")
        probs.astype("<f4").tofile(pred_path)
        written += [h5_path, pred_path]

        meta["models"][name] = {
            "file": f"{name}.h5",
            "params": n_params,
            "layers": [layer.name for layer in model.layers],
            "input_shape": list(model.input_shape[1:]),
            "accuracy_test_first1000": float(ev_1k["accuracy"]),
            "accuracy_test_10k": float(ev_all["accuracy"]),
            "loss_test_first1000": float(ev_1k["loss"]),
            "loss_test_10k": float(ev_all["loss"]),
            "accuracy_first1000_from_argmax": float((argmax == yte[:N_PRED]).mean()),
            "predictions_file": f"{name}-predictions.bin",
            "predictions_shape": [N_PRED, 10],
            "predictions_dtype": "float32-le",
            "argmax_first1000": [int(v) for v in argmax],
        }

        # Round-trip: the saved file must reload and reproduce the predictions.
        reloaded = keras.saving.load_model(h5_path, compile=False)
        re_probs = np.asarray(reloaded.predict(prep(xte[:N_PRED]), batch_size=1000, verbose=0))
        if not np.allclose(re_probs, probs, rtol=0, atol=1e-6):
            sys.exit(f"make-keras-fixtures: reloaded {name}.h5 does not reproduce predictions")
        log(f"{name}.h5 reloads and reproduces predictions (max |diff| {np.abs(re_probs - probs).max():.3g})")

    json_path = os.path.join(OUT, "keras-fixtures.json")
    with open(json_path, "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    written.append(json_path)

    for p in written:
        if p.endswith(".h5"):
            report_file(p)

    print("\n===== fixtures written")
    total = 0
    for p in written:
        size = os.path.getsize(p)
        total += size
        print(f"  {size:>9}  {os.path.relpath(p, REPO)}")
    print(f"  {total:>9}  total")


if __name__ == "__main__":
    main()
