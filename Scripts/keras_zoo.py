"""Keras side of Scripts/check-keras-zoo.sh: builds the zoo of models with random weights, saves
each as legacy HDF5 (.h5) and as a Keras 3 archive (.keras) with a data file of 32 fixed inputs and
Keras's outputs, and compares the tool's logits with Keras's.

usage:
  keras_zoo.py build WORK_DIR [MODEL ...]          models and data files (skips those already made)
  keras_zoo.py compare DATA.h5 OURS.bin            our logits (compress eval --logits) vs Keras's
  keras_zoo.py check-decompressed MODEL.h5 DATA.h5 OURS.bin
                                                   Keras loads MODEL.h5 (our decompressed model) and
                                                   predicts the same inputs; compared with OURS.bin
  keras_zoo.py list                                the zoo's model names, one a line

What is compared: logits, the values before the final softmax, on both sides. `compress eval
--logits FILE` writes raw little-endian float32 [N x classes] with a final softmax left out
(Sources/Pipeline/EvaluationLogits.swift); on the Keras side the last layer's softmax (the fused
activation of the last Dense, or the last Activation('softmax') layer as in MobileNet) is swapped
for `linear` during the prediction. Logits are the stricter comparison: probabilities of random
models saturate (differences vanish at 0 or 1) or flatten (every class near 0.1).

Pass criteria (printed as figures on one line, exit status 1 when they fail):
  compare              max |ours - keras| <= 1e-4 x max |keras|
  check-decompressed   the same bound, and equal argmax per input, where a different argmax is
                       forgiven only when Keras's two logits are within the bound (a tie)

Models (input 32x32x3, 10 classes, keras.applications with weights=None, seeded): see ZOO below.
Every BatchNormalization gets random gamma and beta, and moving mean and variance measured on the
inputs (as training leaves them), and every bias but the classifier's a random value (initialisers
leave them at 1/0), so that inference exercises them and the outputs depend on the inputs.
Inputs: 32 seeded noise images (see inputs_for) around 0, except for EfficientNetB0, which rescales
inside and gets them mapped to [0, 255]. The data file (`NAME.data.h5`) holds
  x             float32 [32, 32, 32, 3]  the inputs as the model takes them
  y             int64 [32]              argmax of Keras's output (so eval's top-1 is 100%)
  keras_logits  float32 [32, 10]        Keras's pre-softmax outputs
  keras_output  float32 [32, 10]        Keras's model.predict (probabilities)
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

INPUT_SHAPE = (32, 32, 3)
CLASSES = 10
COUNT = 32
SEED = 1
RELATIVE_BOUND = 1e-4


def log(msg):
    print(f"keras_zoo: {msg}", flush=True)


# ----------------------------------------------------------------------------- models
def tiny_cnn():
    """Sanity row: a LeNet-like chain (Sequential) that the tool handles today."""
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE, name="input"),
        keras.layers.Conv2D(8, 3, activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(16, 3, activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(2, name="pool2"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(32, activation="relu", name="fc1"),
        keras.layers.Dense(CLASSES, activation="softmax", name="fc2"),
    ], name="tiny_cnn")


def depthwise_k3():
    """A chain with a Keras 3 DepthwiseConv2D (depth_multiplier 2; Keras 3 names its weight `kernel`)."""
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE, name="input"),
        keras.layers.Conv2D(8, 3, padding="same", name="conv1"),
        keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu", name="dw1"),
        keras.layers.DepthwiseConv2D(3, strides=2, depth_multiplier=2, padding="valid", name="dw2"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(CLASSES, activation="softmax", name="fc"),
    ], name="depthwise_k3")


def residual_small():
    """A small graph: Conv/BN/ReLU, a residual Add, a Concatenate of two branches."""
    L = keras.layers
    inp = keras.Input(shape=INPUT_SHAPE, name="input")
    x = L.Conv2D(16, 3, padding="same", use_bias=False, name="stem_conv")(inp)
    x = L.BatchNormalization(name="stem_bn")(x)
    x = L.ReLU(name="stem_relu")(x)
    y = L.Conv2D(16, 3, padding="same", use_bias=False, name="res_conv1")(x)
    y = L.BatchNormalization(name="res_bn1")(y)
    y = L.ReLU(name="res_relu1")(y)
    y = L.Conv2D(16, 3, padding="same", use_bias=False, name="res_conv2")(y)
    y = L.BatchNormalization(name="res_bn2")(y)
    x = L.Add(name="res_add")([x, y])
    x = L.ReLU(name="res_relu2")(x)
    a = L.Conv2D(8, 1, activation="relu", name="branch_a")(x)
    b = L.Conv2D(8, 3, padding="same", activation="relu", name="branch_b")(x)
    x = L.Concatenate(name="concat")([a, b])
    x = L.MaxPooling2D(2, name="pool")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(CLASSES, activation="softmax", name="fc")(x)
    return keras.Model(inp, out, name="residual_small")


def applications(constructor, **kwargs):
    def build():
        return constructor(include_top=True, weights=None, input_shape=INPUT_SHAPE, classes=CLASSES, **kwargs)
    return build


A = keras.applications
# name -> (builder, input range). MobileNet's size check accepts 32x32 (its minimum) with weights=None.
ZOO = {
    "tiny_cnn": (tiny_cnn, "signed"),
    "depthwise_k3": (depthwise_k3, "signed"),
    "residual_small": (residual_small, "signed"),
    "mobilenet_a025": (applications(A.MobileNet, alpha=0.25), "signed"),
    "mobilenetv2_a035": (applications(A.MobileNetV2, alpha=0.35), "signed"),
    "resnet50": (applications(A.ResNet50), "signed"),
    "efficientnetb0": (applications(A.EfficientNetB0), "pixels"),
    "densenet121": (applications(A.DenseNet121), "signed"),
}


# ----------------------------------------------------------------------------- helpers
def randomize_inference_state(model, seed, x):
    """Random BatchNormalization gamma and beta, random biases (all seeded; the classifier's bias
    stays zero), then every BatchNormalization's moving mean and variance set to the statistics of
    its inputs over `x` (one forward pass in training mode with momentum 0), as training leaves
    them. Without that, the random models' outputs hardly depend on their inputs (the signal fades
    through 50 to 120 un-normalised layers) and every input gets the same argmax."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        name = weight.name.split("/")[-1].split(":")[0]
        shape = tuple(weight.shape)
        if name == "gamma":
            weight.assign(rng.uniform(0.5, 1.5, size=shape).astype(np.float32))
        elif name in ("beta", "bias"):
            weight.assign(rng.normal(0.0, 0.1, size=shape).astype(np.float32))
    # A random classifier bias outweighs the inputs' differences.
    last = [layer for layer in model.layers if getattr(layer, "bias", None) is not None][-1:]
    for layer in last:
        layer.bias.assign(np.zeros(tuple(layer.bias.shape), dtype=np.float32))
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    for layer in norms:
        layer.momentum = 0.0
    model(x, training=True)
    for layer, momentum in zip(norms, momenta):
        layer.momentum = momentum


def inputs_for(input_range, count=COUNT, shape=INPUT_SHAPE, seed=SEED):
    """U[-1, 1) noise, each image scaled by U[0.5, 2) and shifted per channel by N(0, 0.5): images
    that differ in their channel means, so that pooled features (and the argmax) differ. For
    "pixels" the same images mapped to [0, 255] (127.5 + 64 x value, clipped)."""
    rng = np.random.default_rng(seed)
    u = rng.random((count,) + tuple(shape), dtype=np.float32) * np.float32(2) - np.float32(1)
    scale = rng.uniform(0.5, 2.0, size=(count, 1, 1, 1))
    offset = rng.normal(0.0, 0.5, size=(count, 1, 1, shape[-1]))
    x = u * scale + offset
    if input_range == "pixels":
        x = np.clip(127.5 + 64.0 * x, 0.0, 255.0)
    return x.astype(np.float32)


def is_softmax(fn):
    return getattr(fn, "__name__", "") == "softmax"


def keras_logits(model, x, batch_size=COUNT):
    """The model's outputs with its final softmax swapped for linear (the tool's --logits)."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    if not is_softmax(activation):
        return np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float32)
    last.activation = keras.activations.linear
    try:
        return np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float32)
    finally:
        last.activation = activation


def softmax(z):
    z = z.astype(np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def read_ours(path, count):
    raw = np.fromfile(path, dtype="<f4")
    if raw.size == 0 or raw.size % count:
        sys.exit(f"keras_zoo: {path}: {raw.size} floats is not a multiple of {count} examples")
    return raw.reshape(count, -1)


def agreement(ours, keras_values):
    """(max abs diff, largest |keras|, relative, exact argmax agreements, tie-forgiven mismatches, failures)."""
    if ours.shape != keras_values.shape:
        sys.exit(f"keras_zoo: shapes differ: ours {ours.shape}, keras {keras_values.shape}")
    diff = float(np.max(np.abs(ours.astype(np.float64) - keras_values)))
    largest = float(np.max(np.abs(keras_values)))
    relative = diff / largest if largest > 0 else diff
    bound = RELATIVE_BOUND * largest
    a, b = ours.argmax(axis=1), keras_values.argmax(axis=1)
    exact = int(np.sum(a == b))
    rows = np.arange(len(a))
    gap = keras_values[rows, b] - keras_values[rows, a]
    ties = int(np.sum((a != b) & (gap <= bound)))
    wrong = int(np.sum((a != b) & (gap > bound)))
    return diff, largest, relative, exact, ties, wrong


# ----------------------------------------------------------------------------- commands
def build(work, names):
    """Builds each model; one that fails is reported (its files are then missing) and the rest go on."""
    os.makedirs(work, exist_ok=True)
    for name in names:
        if name not in ZOO:
            sys.exit(f"keras_zoo: unknown model {name}; known: {', '.join(ZOO)}")
    failed = []
    for name in names:
        try:
            build_one(work, name)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - reported, the zoo goes on
            failed.append(name)
            log(f"{name}: FAIL: {str(error).splitlines()[0] if str(error) else type(error).__name__}")
            for ext in (".h5", ".keras", ".data.h5"):
                path = os.path.join(work, name + ext)
                if os.path.exists(path):
                    os.remove(path)
    return failed


def build_one(work, name):
    """Builds, saves and checks one model of the zoo (nothing when its three files exist)."""
    builder, input_range = ZOO[name]
    paths = [os.path.join(work, name + ext) for ext in (".h5", ".keras", ".data.h5")]
    if all(os.path.isfile(p) for p in paths):
        log(f"{name}: already built")
        return
    keras.utils.set_random_seed(SEED)
    model = builder()
    x = inputs_for(input_range)
    randomize_inference_state(model, SEED, x)
    logits = keras_logits(model, x)
    output = np.asarray(model.predict(x, batch_size=COUNT, verbose=0), dtype=np.float32)
    if not np.all(np.isfinite(logits)):
        sys.exit(f"keras_zoo: {name}: Keras's logits are not finite")
    # The swapped activation gives the pre-softmax values: softmax(logits) is the model's output.
    softmax_gap = float(np.max(np.abs(softmax(logits) - output)))
    if softmax_gap > 1e-4:
        sys.exit(f"keras_zoo: {name}: softmax(logits) differs from predict by {softmax_gap:.2e}")
    h5_path, keras_path, data_path = paths
    model.save(h5_path)
    model.save(keras_path)
    # Keras reads both back and predicts the same logits.
    for path in (h5_path, keras_path):
        again = keras_logits(keras.models.load_model(path, compile=False), x)
        gap = float(np.max(np.abs(again - logits)))
        if gap > RELATIVE_BOUND * float(np.max(np.abs(logits))):
            sys.exit(f"keras_zoo: {name}: Keras reloading {path} gives logits {gap:.2e} away")
    with h5py.File(data_path + ".tmp", "w") as f:
        f["x"] = x
        f["y"] = output.argmax(axis=1).astype(np.int64)
        f["keras_logits"] = logits
        f["keras_output"] = output
        f.attrs["model"] = name
        f.attrs["keras_version"] = keras.__version__
        f.attrs["backend"] = keras.backend.backend()
    os.replace(data_path + ".tmp", data_path)
    log(f"{name}: {model.count_params():,} parameters, {len(model.layers)} layers; "
        f"logits in [{logits.min():.3g}, {logits.max():.3g}], "
        f"{len(set(output.argmax(axis=1).tolist()))} distinct argmax over {COUNT} inputs; "
        f".h5 {os.path.getsize(h5_path):,} B, .keras {os.path.getsize(keras_path):,} B")


def compare(data_path, ours_path):
    with h5py.File(data_path, "r") as f:
        reference = f["keras_logits"][...]
    ours = read_ours(ours_path, reference.shape[0])
    diff, largest, relative, exact, ties, wrong = agreement(ours, reference)
    ok = relative <= RELATIVE_BOUND
    print(f"max_abs_diff={diff:.3e} largest={largest:.3e} relative={relative:.2e} "
          f"argmax_equal={exact}/{len(ours)} ties={ties} {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


def check_decompressed(model_path, data_path, ours_path):
    with h5py.File(data_path, "r") as f:
        x = f["x"][...]
    model = keras.models.load_model(model_path, compile=False)
    reference = keras_logits(model, x)
    ours = read_ours(ours_path, x.shape[0])
    diff, largest, relative, exact, ties, wrong = agreement(ours, reference)
    ok = relative <= RELATIVE_BOUND and wrong == 0
    print(f"max_abs_diff={diff:.3e} largest={largest:.3e} relative={relative:.2e} "
          f"argmax_equal={exact}/{len(ours)} ties={ties} {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    command, args = argv[1], argv[2:]
    if command == "list":
        print("\n".join(ZOO))
        return 0
    if command == "build" and args:
        failed = build(args[0], args[1:] or list(ZOO))
        if failed:
            log(f"could not build {', '.join(failed)}: their rows fail")
        return 0
    if command == "compare" and len(args) == 2:
        return compare(*args)
    if command == "check-decompressed" and len(args) == 3:
        return check_decompressed(*args)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
