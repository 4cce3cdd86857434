"""Builds the small graph-model fixtures in Tests/Fixtures/graph/ (run via make-graph-fixtures.sh).

Keras 3 on the torch backend, fixed seeds, random weights (BatchNormalization gamma, beta and
biases randomised, the classifier's bias left at zero, and BatchNormalization moving statistics
measured on the 8 inputs, so that inference uses them and the outputs depend on the inputs). Writes:
  residual_k2.h5            residual CNN as a Keras 2 (tf.keras 2.x) legacy HDF5 file, written by hand
                            from the Keras 3 model: inbound_nodes as nested lists, batch_input_shape,
                            dtype strings, BatchNormalization axis [3], weights named `layer/kernel:0`
                            under model_weights/LAYER/LAYER/, keras_version 2.11.0, backend tensorflow
  residual_k3.h5            the same model as Keras 3 writes it (model.save, legacy HDF5)
  residual.keras            the same model as a Keras 3 archive (config.json, metadata.json, model.weights.h5)
  residual.data.h5          8 inputs and Keras's outputs for the three residual files
  mbv2_block.h5             a MobileNetV2-style model (stem, two inverted-residual blocks, one with Add)
  mbv2_block_k2.h5          the same in the Keras 2 dialect (as residual_k2.h5)
  mbv2_block.data.h5
  depthwise_k3.h5           a chain with Keras 3 DepthwiseConv2D (depth_multiplier 2, weight `kernel`)
  depthwise_k3.data.h5
Each NAME.data.h5: x float32 [8, H, W, 3] (seeded noise, see inputs()), y int64 [8] (argmax of Keras's output),
keras_output float32 [8, 10] (model.predict: softmax probabilities) and keras_logits float32 [8, 10]
(the same with the final softmax swapped for linear: what `compress eval --logits` writes).
Every file is checked by loading it back with Keras (the Keras 2 file too) and predicting the same.

usage: make-graph-fixtures.py [OUT_DIR]        default Tests/Fixtures/graph
"""
import copy
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "Tests", "Fixtures", "graph")
SEED = 7
COUNT = 8
CLASSES = 10
KERAS2_VERSION = "2.11.0"
L = keras.layers


def log(msg):
    print(f"make-graph-fixtures: {msg}", flush=True)


# ----------------------------------------------------------------------------- models
def residual():
    inp = keras.Input(shape=(16, 16, 3), name="input")
    x = L.Conv2D(8, 3, padding="same", use_bias=False, name="stem_conv")(inp)
    x = L.BatchNormalization(name="stem_bn")(x)
    x = L.ReLU(max_value=6.0, name="stem_relu6")(x)
    y = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="res_dw")(x)
    y = L.BatchNormalization(name="res_dw_bn")(y)
    y = L.ReLU(max_value=6.0, name="res_dw_relu6")(y)
    y = L.Conv2D(8, 1, use_bias=False, name="res_pw")(y)
    y = L.BatchNormalization(name="res_pw_bn")(y)
    x = L.Add(name="res_add")([x, y])
    x = L.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(x)
    x = L.Conv2D(16, 3, strides=2, padding="valid", activation="relu", name="down_conv")(x)
    a = L.Conv2D(8, 1, activation="relu", name="branch_a")(x)
    b = L.Conv2D(8, 3, padding="same", activation="relu", name="branch_b")(x)
    x = L.Concatenate(name="concat")([a, b])
    x = L.GlobalAveragePooling2D(name="gap")(x)
    out = L.Dense(CLASSES, activation="softmax", name="predictions")(x)
    return keras.Model(inp, out, name="residual")


def mbv2_block():
    """keras.applications.MobileNetV2's block structure, small: expand 1x1, depthwise 3x3, project 1x1."""
    def block(x, expansion, filters, stride, index):
        prefix = f"block_{index}_"
        channels = x.shape[-1]
        h = L.Conv2D(expansion * channels, 1, padding="same", use_bias=False, name=prefix + "expand")(x)
        h = L.BatchNormalization(epsilon=1e-3, momentum=0.999, name=prefix + "expand_BN")(h)
        h = L.ReLU(6.0, name=prefix + "expand_relu")(h)
        if stride == 2:
            h = L.ZeroPadding2D(((0, 1), (0, 1)), name=prefix + "pad")(h)
        h = L.DepthwiseConv2D(3, strides=stride, use_bias=False, padding="same" if stride == 1 else "valid",
                              name=prefix + "depthwise")(h)
        h = L.BatchNormalization(epsilon=1e-3, momentum=0.999, name=prefix + "depthwise_BN")(h)
        h = L.ReLU(6.0, name=prefix + "depthwise_relu")(h)
        h = L.Conv2D(filters, 1, padding="same", use_bias=False, name=prefix + "project")(h)
        h = L.BatchNormalization(epsilon=1e-3, momentum=0.999, name=prefix + "project_BN")(h)
        if stride == 1 and channels == filters:
            h = L.Add(name=prefix + "add")([x, h])
        return h

    inp = keras.Input(shape=(16, 16, 3), name="input")
    x = L.Conv2D(8, 3, strides=2, padding="same", use_bias=False, name="Conv1")(inp)
    x = L.BatchNormalization(epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = L.ReLU(6.0, name="Conv1_relu")(x)
    x = block(x, 4, 8, 1, 1)
    x = block(x, 4, 12, 2, 2)
    x = L.Conv2D(32, 1, use_bias=False, name="Conv_1")(x)
    x = L.BatchNormalization(epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = L.ReLU(6.0, name="out_relu")(x)
    x = L.GlobalAveragePooling2D(name="global_average_pooling2d")(x)
    out = L.Dense(CLASSES, activation="softmax", name="predictions")(x)
    return keras.Model(inp, out, name="mbv2_block")


def depthwise_k3():
    return keras.Sequential([
        keras.Input(shape=(16, 16, 3), name="input"),
        L.Conv2D(4, 3, padding="same", name="conv1"),
        L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu", name="dw1"),
        L.DepthwiseConv2D(3, strides=2, depth_multiplier=2, padding="valid", name="dw2"),
        L.GlobalAveragePooling2D(name="gap"),
        L.Dense(CLASSES, activation="softmax", name="predictions"),
    ], name="depthwise_k3")


# ----------------------------------------------------------------------------- helpers
def randomize_inference_state(model, seed, x):
    """Random BatchNormalization gamma and beta and random biases (the classifier's stays zero: a
    random one outweighs the inputs' differences), then each BatchNormalization's moving mean and
    variance set to the statistics of its inputs over `x` (a forward pass in training mode with
    momentum 0), as training leaves them: the outputs then depend on the inputs."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        name = weight.name.split("/")[-1].split(":")[0]
        shape = tuple(weight.shape)
        if name == "gamma":
            weight.assign(rng.uniform(0.5, 1.5, size=shape).astype(np.float32))
        elif name in ("beta", "bias"):
            weight.assign(rng.normal(0.0, 0.1, size=shape).astype(np.float32))
    last = model.layers[-1]
    if getattr(last, "bias", None) is not None:
        last.bias.assign(np.zeros(tuple(last.bias.shape), dtype=np.float32))
    norms = [layer for layer in model.layers if isinstance(layer, L.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    for layer in norms:
        layer.momentum = 0.0
    model(x, training=True)
    for layer, momentum in zip(norms, momenta):
        layer.momentum = momentum


def keras_logits(model, x):
    last = model.layers[-1]
    activation = last.activation
    last.activation = keras.activations.linear
    try:
        return np.asarray(model.predict(x, verbose=0), dtype=np.float32)
    finally:
        last.activation = activation


def write_data(path, x, model):
    output = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
    logits = keras_logits(model, x)
    with h5py.File(path, "w") as f:
        f["x"] = x
        f["y"] = output.argmax(axis=1).astype(np.int64)
        f["keras_output"] = output
        f["keras_logits"] = logits
    return output


def check_loads(path, x, expected):
    again = np.asarray(keras.models.load_model(path, compile=False).predict(x, verbose=0))
    gap = float(np.max(np.abs(again - expected)))
    if gap > 1e-6:
        sys.exit(f"make-graph-fixtures: Keras loading {path} predicts {gap:.2e} away from the model")
    return gap


# ----------------------------------------------------------------------------- Keras 2 dialect
def keras2_object(value):
    """Keras 3 nested config -> Keras 2 form: no module/registered_name, dtype policies as strings."""
    if isinstance(value, list):
        return [keras2_object(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and "config" in value:
        return value["config"]["name"]
    out = {}
    for key, item in value.items():
        if key in ("module", "registered_name", "build_config", "compile_config",
                   "input_axes", "output_axes"):  # the last two: Keras 3.x's variance-scaling additions
            continue
        out[key] = keras2_object(item)
    return out


def keras2_inbound_nodes(nodes):
    """Keras 3 [{"args": [...], "kwargs": {}}] -> Keras 2 [[["layer", node, tensor, {}], ...]]."""
    result = []
    for node in nodes:
        tensors = []

        def collect(arg):
            if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
                name, node_index, tensor_index = arg["config"]["keras_history"]
                tensors.append([name, node_index, tensor_index, {}])
            elif isinstance(arg, (list, tuple)):
                for a in arg:
                    collect(a)

        collect(node["args"])
        result.append(tensors)
    return result


def keras2_layer_config(class_name, config, rank):
    config = keras2_object(config)
    if class_name == "InputLayer":
        shape = config.pop("batch_shape", None) or config.pop("batch_input_shape")
        return {"batch_input_shape": shape, "dtype": config.get("dtype", "float32"), "sparse": False,
                "ragged": False, "name": config["name"]}
    for key in ("quantization_config", "lora_rank", "lora_alpha", "synchronized", "optional"):
        config.pop(key, None)
    if class_name == "BatchNormalization" and isinstance(config.get("axis"), int):
        axis = config["axis"]
        config["axis"] = [axis % rank]  # tf.keras 2 stores the resolved axis as a list
    return config


def keras2_model_config(model):
    config = keras2_object(copy.deepcopy(model.get_config()))
    ranks = {layer.name: len(layer.output.shape) for layer in model.layers}
    layers = []
    for entry in model.get_config()["layers"]:
        name = entry["name"]
        layers.append({
            "class_name": entry["class_name"],
            "config": keras2_layer_config(entry["class_name"], copy.deepcopy(entry["config"]), ranks[name]),
            "name": name,
            "inbound_nodes": keras2_inbound_nodes(entry["inbound_nodes"]),
        })

    def nested(endpoints):
        return [endpoints] if endpoints and isinstance(endpoints[0], str) else endpoints

    return {"class_name": "Functional", "config": {
        "name": config["name"], "trainable": True, "layers": layers,
        "input_layers": nested(config["input_layers"]), "output_layers": nested(config["output_layers"]),
    }}


def save_keras2_h5(model, path):
    """Writes `model` as tf.keras 2.x's save_model_to_hdf5 does (without optimizer or training config)."""
    model_config = keras2_model_config(model)
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = KERAS2_VERSION.encode("utf8")
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        weights = f.create_group("model_weights")
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = KERAS2_VERSION.encode("utf8")
        weights.attrs["layer_names"] = np.asarray([layer.name.encode("utf8") for layer in model.layers])
        for layer in model.layers:
            group = weights.create_group(layer.name)
            names = []
            for variable in layer.weights:
                short = variable.name.split("/")[-1]
                if layer.__class__.__name__ == "DepthwiseConv2D" and short == "kernel":
                    short = "depthwise_kernel"  # tf.keras 2's name for it
                names.append(f"{layer.name}/{short}:0")
            # tf.keras 2 writes np.asarray(list of bytes): an empty float64 array for weightless layers.
            group.attrs["weight_names"] = np.asarray([n.encode("utf8") for n in names])
            for name, variable in zip(names, layer.weights):
                group.create_dataset(name, data=np.asarray(variable.numpy(), dtype=np.float32))
    return model_config


# ----------------------------------------------------------------------------- main
def build(builder, seed):
    keras.utils.set_random_seed(seed)
    model = builder()
    x = inputs(model.input_shape[1:], seed)
    randomize_inference_state(model, seed, x)
    return model, x


def inputs(shape, seed):
    """U[-1, 1) noise, each image scaled by U[0.5, 2) and shifted per channel by N(0, 1): images that
    differ in their channel means, so that globally pooled features (and the argmax) differ."""
    rng = np.random.default_rng(seed)
    u = rng.random((COUNT,) + tuple(shape), dtype=np.float32) * np.float32(2) - np.float32(1)
    scale = rng.uniform(0.5, 2.0, size=(COUNT, 1, 1, 1))
    offset = rng.normal(0.0, 1.0, size=(COUNT, 1, 1, shape[-1]))
    return (u * scale + offset).astype(np.float32)


def main():
    os.makedirs(OUT, exist_ok=True)
    written = []

    model, x = build(residual, SEED)
    expected = write_data(os.path.join(OUT, "residual.data.h5"), x, model)
    written.append("residual.data.h5")
    save_keras2_h5(model, os.path.join(OUT, "residual_k2.h5"))
    model.save(os.path.join(OUT, "residual_k3.h5"))
    model.save(os.path.join(OUT, "residual.keras"))
    for name in ("residual_k2.h5", "residual_k3.h5", "residual.keras"):
        gap = check_loads(os.path.join(OUT, name), x, expected)
        log(f"{name}: Keras loads it back, predictions within {gap:.1e}")
        written.append(name)
    log(f"residual: {model.count_params():,} parameters; layers: "
        + ", ".join(f"{l.name}:{l.__class__.__name__}" for l in model.layers))

    for builder, name in ((mbv2_block, "mbv2_block"), (depthwise_k3, "depthwise_k3")):
        model, x = build(builder, SEED)
        expected = write_data(os.path.join(OUT, f"{name}.data.h5"), x, model)
        model.save(os.path.join(OUT, f"{name}.h5"))
        files = [f"{name}.h5"]
        if name == "mbv2_block":
            save_keras2_h5(model, os.path.join(OUT, "mbv2_block_k2.h5"))
            files.append("mbv2_block_k2.h5")
        for file in files:
            gap = check_loads(os.path.join(OUT, file), x, expected)
            log(f"{file}: Keras loads it back, predictions within {gap:.1e}")
        log(f"{name}: {model.count_params():,} parameters; layers: "
            + ", ".join(f"{l.name}:{l.__class__.__name__}" for l in model.layers))
        written += files + [f"{name}.data.h5"]

    total = 0
    for name in sorted(written):
        size = os.path.getsize(os.path.join(OUT, name))
        total += size
        log(f"{name}: {size:,} bytes")
    log(f"total {total:,} bytes; keras {keras.__version__} ({keras.backend.backend()}), "
        f"h5py {h5py.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
