import TensorCore

/// One layer of an ``Architecture``: its name, its type, its configuration and the layers it
/// takes its inputs from.
public struct LayerSpec: Sendable, Equatable {
    public var name: String
    /// The Keras class name of the layer's type (see ``LayerTypes``).
    public var type: String
    /// The configuration, in the keys of the type (``DescribedLayer``).
    public var config: LayerConfig
    /// The layers whose outputs this layer takes, in order, by name (the architecture's
    /// ``Architecture/inputName`` for the model's input). Empty means the previous layer, or the
    /// model's input for the first layer: a chain needs no names.
    public var inputs: [String]

    public init(name: String, type: String, config: LayerConfig, inputs: [String] = []) {
        self.name = name
        self.type = type
        self.config = config
        self.inputs = inputs
    }

    /// A layer of a described type.
    public init(_ name: String, _ type: any DescribedLayer.Type, _ config: LayerConfig = [:], inputs: [String] = []) {
        self.init(name: name, type: type.kerasClassName, config: config, inputs: inputs)
    }

    /// The described type, when the engine knows it.
    public var layerType: (any DescribedLayer.Type)? { LayerTypes.named(kerasClassName: type) }
}

/// A model description: input shape and a directed acyclic graph of named layers, built into a
/// ``Model`` with a seed. A chain of layers is the special case where every layer takes the one
/// before it.
///
/// It can be written in code, parsed from a short text file, read from Keras or a compressed
/// file, or taken from the built-ins (``lenet300``, ``lenet5``). Each layer's output goes to the
/// layers that name it among their inputs; the last layer's output is the model's. Layers are
/// listed so that each comes after its inputs.
///
/// The text format has one statement per line; `#` starts a comment:
///
/// ```text
/// # LeNet-5, Caffe variant
/// input 28x28x1
/// conv2d conv1 filters=20 kernel=5 stride=1 padding=valid
/// maxpool2d pool1 size=2
/// conv2d conv2 filters=50 kernel=5
/// maxpool2d pool2 size=2
/// flatten
/// dense fc1 units=500 activation=relu
/// dense fc2 units=10 activation=softmax
/// ```
///
/// - `input HxWxC` or `input N` must come first, once (`input NAME HxWxC` names the input).
/// - Then `TYPE [NAME] key=value ... [inputs=a,b]`. A missing name becomes Keras-style `dense`,
///   `dense_1`, ...; without `inputs=` a layer takes the previous one.
/// - Types are the keywords of ``LayerTypes`` (`dense`, `conv2d`, `depthwiseconv2d`,
///   `maxpool2d`, `avgpool2d`, `globalavgpool2d`, `flatten`, `reshape`, `dropout`, `batchnorm`,
///   `activation`, `zeropad2d`, `add`, `concatenate`, ...) and keys are Keras's (`units`,
///   `kernel_size`, `strides`, `use_bias`, `pool_size`, ...). The short forms `kernel`,
///   `stride`, `bias`, `size`, `multiplier`, `shape`, `function` and `pad` also work.
/// - Values: `5`, `5x3` or `1,2` (lists), `true`/`false`, numbers, names (`relu`, `same`).
public struct Architecture: Sendable, Equatable {
    public var name: String
    /// The shape of one input example (`[28, 28, 1]`).
    public var inputShape: [Int]
    /// The name layers use for the model's input in ``LayerSpec/inputs``.
    public var inputName: String
    public var layers: [LayerSpec]

    public init(name: String, inputShape: [Int], inputName: String = "input", layers: [LayerSpec]) {
        self.name = name
        self.inputShape = inputShape
        self.inputName = inputName
        self.layers = layers
    }

    /// LeNet-300-100: 784-300-100-10 with ReLU, 266,610 parameters (input 28x28x1, flattened).
    public static let lenet300 = Architecture(name: "lenet300", inputShape: [28, 28, 1], layers: [
        LayerSpec("flatten", Flatten.self),
        LayerSpec("fc1", Dense.self, ["units": 300, "activation": "relu"]),
        LayerSpec("fc2", Dense.self, ["units": 100, "activation": "relu"]),
        LayerSpec("fc3", Dense.self, ["units": 10, "activation": "softmax"]),
    ]).canonical

    /// LeNet-5 as in Caffe: conv 20@5x5, maxpool 2, conv 50@5x5, maxpool 2, dense 500 ReLU,
    /// dense 10; 431,080 parameters.
    public static let lenet5 = Architecture(name: "lenet5", inputShape: [28, 28, 1], layers: [
        LayerSpec("conv1", Conv2D.self, ["filters": 20, "kernel_size": 5]),
        LayerSpec("pool1", MaxPool2D.self, ["pool_size": 2]),
        LayerSpec("conv2", Conv2D.self, ["filters": 50, "kernel_size": 5]),
        LayerSpec("pool2", MaxPool2D.self, ["pool_size": 2]),
        LayerSpec("flatten", Flatten.self),
        LayerSpec("fc1", Dense.self, ["units": 500, "activation": "relu"]),
        LayerSpec("fc2", Dense.self, ["units": 10, "activation": "softmax"]),
    ]).canonical

    /// The built-in architectures by name.
    public static let builtins: [String: Architecture] = ["lenet300": lenet300, "lenet5": lenet5]

    /// A built-in architecture by name (`lenet300`, `lenet5`).
    public static func named(_ name: String) -> Architecture? { builtins[name.lowercased()] }

    /// Whether every layer takes exactly the layer before it (the first, the model's input).
    public var isChain: Bool {
        layers.indices.allSatisfy { index in
            let inputs = layers[index].inputs
            return inputs.isEmpty || inputs == [index == 0 ? inputName : layers[index - 1].name]
        }
    }

    /// The architecture with every configuration in canonical form; itself when invalid.
    var canonical: Architecture { (try? validated().architecture) ?? self }

    /// Builds the model: checks it (``validated()``) before allocating anything, infers shapes,
    /// draws kernels Glorot-uniform from `seed` in layer order, zero biases. The same seed always
    /// gives the same weights.
    public func build(seed: UInt64) throws -> Model {
        let plan = try validated()
        var generator = RandomGenerator(seed: seed)
        let model = Model(inputShape: inputShape, inputName: inputName)
        for (index, spec) in plan.architecture.layers.enumerated() {
            let inputs = plan.inputs[index]
            let shapes = inputs.map { $0 < 0 ? inputShape : plan.outputShapes[$0] }
            do {
                let layer = try spec.layerType!.make(spec.config, inputShapes: shapes, generator: &generator)
                model.append(spec.name, layer, inputs: inputs.map { $0 < 0 ? inputName : plan.architecture.layers[$0].name })
            } catch {
                throw ArchitectureError(line: nil, layer: spec.name, message: "\(error)")
            }
        }
        return model
    }
}

/// A problem in an architecture description, with the line it is on (1-based) when parsed and
/// the layer at fault when known.
public struct ArchitectureError: Error, CustomStringConvertible, Equatable {
    public var line: Int?
    /// The name of the layer at fault.
    public var layer: String?
    public var message: String
    public init(line: Int?, layer: String? = nil, message: String) {
        self.line = line
        self.layer = layer
        self.message = message
    }
    public var description: String {
        var parts = line.map { ["line \($0)"] } ?? []
        if let layer { parts.append("layer '\(layer)'") }
        return (parts + [message]).joined(separator: ": ")
    }
}
