import Foundation
import NN
import TensorCore

/// One layer shape of MobileNetV2 or ResNet50, and how often each network runs it.
///
/// Its text form, one line of `bench layers --list`, is what `Scripts/bench_layers_torch.py`
/// reads, so both sides time the same shapes:
/// `name kind height width inputChannels outputChannels kernel stride mobilenetv2Count resnet50Count`.
struct LayerCase {
    enum Kind: String {
        /// Conv2D without bias, `same` padding (MobileNetV2 and torchvision pad alike in cost).
        case conv
        /// DepthwiseConv2D, multiplier 1, without bias.
        case depthwise
        /// BatchNormalization (inference: moving statistics; training: batch statistics).
        case batchnorm
        case relu, relu6
        /// Add of two tensors of the shape.
        case add
        /// MaxPool2D, `same` padding.
        case maxpool
    }

    let kind: Kind
    let height, width, inputChannels, outputChannels, kernel, stride: Int
    var counts: [Int]

    var name: String {
        let size = "\(height)x\(width)"
        switch kind {
        case .conv:
            let shape = kernel == 1 ? "pw" : "conv\(kernel)x\(kernel)"
            return "\(shape)\(stride == 1 ? "" : "s\(stride)")/\(size)/\(inputChannels)-\(outputChannels)"
        case .depthwise: return "dw\(kernel)x\(kernel)\(stride == 1 ? "" : "s\(stride)")/\(size)x\(inputChannels)"
        case .maxpool: return "maxpool\(kernel)x\(kernel)s\(stride)/\(size)x\(inputChannels)"
        default: return "\(kind.rawValue)/\(size)x\(inputChannels)"
        }
    }

    var line: String {
        "\(name) \(kind.rawValue) \(height) \(width) \(inputChannels) \(outputChannels) \(kernel) \(stride) \(counts.map(String.init).joined(separator: " "))"
    }

    var outputSize: Int { (height + stride - 1) / stride }
}

/// The layer shapes of the networks, with counts, merged by name in first-seen order.
struct NetworkLayers {
    private(set) var cases: [LayerCase] = []
    private var index: [String: Int] = [:]
    let networks: Int

    init(networks: Int) { self.networks = networks }

    mutating func add(_ kind: LayerCase.Kind, network: Int, size: Int, _ cin: Int, _ cout: Int = 0, kernel: Int = 1, stride: Int = 1) {
        var item = LayerCase(kind: kind, height: size, width: size, inputChannels: cin, outputChannels: cout == 0 ? cin : cout,
                             kernel: kernel, stride: stride, counts: Array(repeating: 0, count: networks))
        if let i = index[item.name] {
            cases[i].counts[network] += 1
        } else {
            item.counts[network] = 1
            index[item.name] = cases.count
            cases.append(item)
        }
    }

    /// Conv (or depthwise), BatchNorm and an optional activation, as both networks chain them.
    mutating func convUnit(_ kind: LayerCase.Kind, network: Int, size: Int, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1,
                           activation: LayerCase.Kind?) {
        add(kind, network: network, size: size, cin, cout, kernel: kernel, stride: stride)
        let outSize = (size + stride - 1) / stride
        add(.batchnorm, network: network, size: outSize, cout)
        if let activation { add(activation, network: network, size: outSize, cout) }
    }

    /// Keras' `_make_divisible`: channels rounded to a multiple of 8, never below 90%.
    static func divisible(_ value: Double) -> Int {
        var rounded = max(8, Int(value + 4) / 8 * 8)
        if Double(rounded) < 0.9 * value { rounded += 8 }
        return rounded
    }

    /// MobileNetV2 (torchvision's / Keras' layout) at `size`x`size` with width multiplier `alpha`.
    mutating func mobileNetV2(network: Int, size: Int, alpha: Double) {
        var channels = NetworkLayers.divisible(32 * alpha), h = size
        convUnit(.conv, network: network, size: h, 3, channels, kernel: 3, stride: 2, activation: .relu6)
        h = (h + 1) / 2
        let blocks = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        for (expansion, width, repeats, firstStride) in blocks {
            let out = NetworkLayers.divisible(Double(width) * alpha)
            for r in 0..<repeats {
                let stride = r == 0 ? firstStride : 1, hidden = channels * expansion
                if expansion != 1 { convUnit(.conv, network: network, size: h, channels, hidden, kernel: 1, activation: .relu6) }
                convUnit(.depthwise, network: network, size: h, hidden, hidden, kernel: 3, stride: stride, activation: .relu6)
                h = (h + stride - 1) / stride
                convUnit(.conv, network: network, size: h, hidden, out, kernel: 1, activation: nil)
                if stride == 1 && channels == out { add(.add, network: network, size: h, out) }
                channels = out
            }
        }
        convUnit(.conv, network: network, size: h, channels, alpha > 1 ? NetworkLayers.divisible(1280 * alpha) : 1280, kernel: 1,
                 activation: .relu6)
    }

    /// ResNet50 (torchvision's v1.5: the stride on the 3x3 convolution) at `size`x`size`.
    mutating func resNet50(network: Int, size: Int) {
        var h = (size + 1) / 2
        convUnit(.conv, network: network, size: size, 3, 64, kernel: 7, stride: 2, activation: .relu)
        add(.maxpool, network: network, size: h, 64, kernel: 3, stride: 2)
        h = (h + 1) / 2
        var channels = 64
        for (stage, (width, blocks)) in [(64, 3), (128, 4), (256, 6), (512, 3)].enumerated() {
            for block in 0..<blocks {
                let stride = block == 0 && stage > 0 ? 2 : 1, out = width * 4
                convUnit(.conv, network: network, size: h, channels, width, kernel: 1, activation: .relu)
                convUnit(.conv, network: network, size: h, width, width, kernel: 3, stride: stride, activation: .relu)
                let outSize = (h + stride - 1) / stride
                convUnit(.conv, network: network, size: outSize, width, out, kernel: 1, activation: nil)
                if block == 0 { convUnit(.conv, network: network, size: h, channels, out, kernel: 1, stride: stride, activation: nil) }
                add(.add, network: network, size: outSize, out)
                add(.relu, network: network, size: outSize, out)
                h = outSize
                channels = out
            }
        }
    }
}

/// `bench layers`: milliseconds of inference and of one forward + backward pass per layer shape
/// of MobileNetV2 and ResNet50, and the totals weighted by how often each network runs a shape.
///
/// Inference runs under `withoutGradients` with `training: false`; the training pass computes
/// the input gradient too (a layer inside a network needs it) from a seed of ones, batch
/// statistics for BatchNorm. Times are the best of `--repeats` or more calls after one warm-up call
/// (Scripts/bench_layers_torch.py times torch the same way).
struct LayerBenchmark {
    let batch, size, repeats: Int
    let alpha: Double
    let filter: String?
    let listOnly, training: Bool

    init(options: Options) throws(UsageError) {
        batch = try options.positiveInteger("batch", default: 16)
        size = try options.positiveInteger("size", default: 224)
        repeats = try options.positiveInteger("repeats", default: 3)
        let alphaText = options.string("alpha") ?? "1.0"
        guard let alpha = Double(alphaText), alpha > 0 else { throw UsageError("--alpha needs a positive number, got '\(alphaText)'") }
        self.alpha = alpha
        filter = options.string("filter")
        listOnly = options.string("list") == "1"
        training = options.string("training").map { $0 == "1" } ?? true
    }

    static let networkNames = ["mobilenetv2", "resnet50"]

    var layers: NetworkLayers {
        var layers = NetworkLayers(networks: LayerBenchmark.networkNames.count)
        layers.mobileNetV2(network: 0, size: size, alpha: alpha)
        layers.resNet50(network: 1, size: size)
        return layers
    }

    func run() {
        let cases = layers.cases.filter { item in filter.map { item.name.contains($0) } ?? true }
        if listOnly {
            for item in cases { print(item.line) }
            return
        }
        print("# \(BLASBackend.configuration); \(BLASBackend.kernelSummary); NN threads \(kernelThreadCount)")
        print("# batch \(batch), \(size)x\(size), MobileNetV2 alpha \(alpha)")
        var totals = Array(repeating: (infer: 0.0, train: 0.0), count: LayerBenchmark.networkNames.count)
        for item in cases {
            let (infer, train) = measure(item)
            print(String(format: "layer %@ infer_ms=%.3f train_ms=%.3f", item.name, infer, train))
            for (n, count) in item.counts.enumerated() {
                totals[n].infer += Double(count) * infer
                totals[n].train += Double(count) * train
            }
        }
        for (n, name) in LayerBenchmark.networkNames.enumerated() {
            print(String(format: "total %@ infer_ms=%.1f train_ms=%.1f", name, totals[n].infer, totals[n].train))
        }
    }

    /// Best inference and forward + backward milliseconds of one case.
    func measure(_ item: LayerCase) -> (Double, Double) {
        var generator = RandomGenerator(seed: 1)
        let x = generator.uniform(shape: [batch, item.height, item.width, item.inputChannels], low: -1, high: 1)
        let other = item.kind == .add ? generator.uniform(shape: x.shape, low: -1, high: 1) : nil
        let apply = makeLayer(item, generator: &generator)
        let infer = best { withoutGradients { withExtendedLifetime(apply([Variable(x)] + (other.map { [Variable($0)] } ?? []), false)) {} } }
        guard training else { return (infer, 0) }
        let train = best {
            let inputs = [Variable(x, requiresGrad: true)] + (other.map { [Variable($0, requiresGrad: true)] } ?? [])
            let y = apply(inputs, true)
            y.backward(seed: Tensor(repeating: 1, shape: y.shape))
            withExtendedLifetime(inputs) {}
        }
        return (infer, train)
    }

    private func makeLayer(_ item: LayerCase, generator: inout RandomGenerator) -> ([Variable], Bool) -> Variable {
        let k = Size2D(item.kernel), s = Size2D(item.stride)
        switch item.kind {
        case .conv:
            let layer = Conv2D(inputChannels: item.inputChannels, filters: item.outputChannels, kernelSize: k, strides: s,
                               padding: .same, useBias: false, generator: &generator)
            return { layer($0[0], training: $1) }
        case .depthwise:
            let layer = DepthwiseConv2D(inputChannels: item.inputChannels, kernelSize: k, strides: s, padding: .same, useBias: false,
                                        generator: &generator)
            return { layer($0[0], training: $1) }
        case .batchnorm:
            let layer = BatchNormalization(channels: item.inputChannels)
            layer.movingMean.value = generator.uniform(shape: [item.inputChannels], low: -0.5, high: 0.5)
            layer.movingVariance.value = generator.uniform(shape: [item.inputChannels], low: 0.5, high: 1.5)
            return { layer($0[0], training: $1) }
        case .relu:
            let layer = ReLU()
            return { layer($0[0], training: $1) }
        case .relu6:
            let layer = ReLU(maxValue: 6)
            return { layer($0[0], training: $1) }
        case .add:
            let layer = Add()
            return { layer($0, training: $1) }
        case .maxpool:
            let layer = MaxPool2D(poolSize: k, strides: s, padding: .same)
            return { layer($0[0], training: $1) }
        }
    }

    /// The best of at least `repeats` timed calls after one warm-up call, in milliseconds; short
    /// calls repeat until 0.3 s have passed (at most 100 calls), so a busy machine's pauses miss some.
    private func best(_ body: () -> Void) -> Double {
        body()
        var best = Double.infinity, spent = 0.0, calls = 0
        while calls < repeats || (spent < 300 && calls < 100) {
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
            best = min(best, milliseconds)
            spent += milliseconds
            calls += 1
        }
        return best
    }
}
