import Compression
import Foundation
import ModelIO
import NN
import TensorCore
import Testing

/// Models with every kind of stored parameter, and the checks the container tests share.
enum ContainerSamples {
    /// The kinds of parameter content a compressed model stores.
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case dense, sparse, kmeans, sparseKMeans, int8, sparseInt8, float16, surgery
        var testDescription: String { rawValue }
    }

    /// A one-layer Dense model `[inputs] -> [units]` whose kernel holds `kind` content, drawn from `seed`.
    static func denseModel(inputs: Int, units: Int, kind: Kind, seed: UInt64) -> (Model, CompressionState) {
        var generator = RandomGenerator(seed: seed)
        let kernel = generator.normal(shape: [inputs, units], standardDeviation: 0.1)
        let bias = generator.normal(shape: [units], standardDeviation: 0.01)
        let model = Model(inputShape: [inputs], layers: [("fc", Dense(kernel: kernel, bias: bias, activation: .relu))])
        var state = CompressionState()
        apply(kind, to: model.parameter(named: "fc.kernel")!, key: "fc.kernel", state: &state, generator: &generator)
        return (model, state)
    }

    /// Gives `parameter` the content of `kind`: masks, codebooks, int8 codes or halves.
    static func apply(_ kind: Kind, to parameter: Parameter, key: String, state: inout CompressionState,
                      generator: inout RandomGenerator) {
        let count = parameter.count
        if [.sparse, .sparseKMeans, .sparseInt8, .surgery].contains(kind) {
            let density = [0.02, 0.08, 0.3][generator.nextInt(below: 3)]
            let keep = (0..<count).map { _ in Float(generator.nextInt(below: 1_000_000)) < Float(density * 1_000_000) ? Float(1) : 0 }
            parameter.mask = Tensor(shape: parameter.shape, scalars: keep)
            parameter.maskMode = kind == .surgery ? .surgery : .pruned
            if kind != .surgery { parameter.applyMask() }
        }
        switch kind {
        case .kmeans, .sparseKMeans:
            let bits = 1 + generator.nextInt(below: 8)
            let k = 1 << bits
            // Ascending (as k-means leaves them, listed by use in the file) or not (listed as they are).
            let ascending = (0..<k).map { Float($0 - k / 2) / 512 + Float(generator.nextInt(below: 100)) / 65536 }
            let centroids = bits % 2 == 0 ? ascending : ascending.reversed()
            let mask = parameter.mask?.scalars
            let assignments = (0..<count).map { i -> Int32 in
                if mask?[i] == 0 { return -1 }
                return generator.nextInt(below: 50) == 0 ? -1 : Int32(generator.nextInt(below: k))
            }
            parameter.codebook = Codebook(assignments: assignments, centroids: centroids)
            state.quantization[key] = .weightSharing(bits: bits)
        case .int8, .sparseInt8:
            let quantized = Int8QuantizedTensor(quantizing: parameter.value, symmetric: generator.nextInt(below: 2) == 0,
                                                axis: generator.nextInt(below: 2) == 0 ? nil : parameter.shape.count - 1)
            parameter.value = quantized.dequantized()
            state.quantization[key] = .int8(quantized)
        case .float16:
            parameter.value = Tensor(shape: parameter.shape, scalars: parameter.value.scalars.map { Float16Bits.decode(Float16Bits.encode($0)) })
            state.quantization[key] = .float16
        case .dense, .sparse, .surgery:
            break
        }
    }

    /// Expects `decoded` to hold exactly the weights, masks, codebooks and state of `original`
    /// (cut weights as +0.0, their centroid indices -1).
    static func expectSameContent(_ decoded: CompressedModel, _ original: Model, _ state: CompressionState,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        let restored = Dictionary(uniqueKeysWithValues: decoded.model.namedParameters.map { ($0.key, $0.parameter) })
        for (key, parameter) in original.namedParameters {
            guard let back = restored[key] else {
                Issue.record("parameter \(key) is missing", sourceLocation: sourceLocation)
                continue
            }
            let kept = parameter.mask?.scalars.map { $0 != 0 }
            let expected = parameter.value.scalars.enumerated().map { kept?[$0.offset] == false ? Float(0) : $0.element }
            #expect(back.value.scalars.map(\.bitPattern) == expected.map(\.bitPattern), "\(key) values", sourceLocation: sourceLocation)
            #expect(back.mask?.scalars == parameter.mask?.scalars, "\(key) mask", sourceLocation: sourceLocation)
            if parameter.mask != nil { #expect(back.maskMode == parameter.maskMode, sourceLocation: sourceLocation) }
            if let codebook = parameter.codebook {
                #expect(back.codebook?.centroids.map(\.bitPattern) == codebook.centroids.map(\.bitPattern), sourceLocation: sourceLocation)
                let assignments = codebook.assignments.enumerated().map { kept?[$0.offset] == false ? -1 : $0.element }
                #expect(back.codebook?.assignments == assignments, "\(key) assignments", sourceLocation: sourceLocation)
            } else {
                #expect(back.codebook == nil, sourceLocation: sourceLocation)
            }
            #expect(decoded.state.quantization[key] == state.quantization[key], "\(key) state", sourceLocation: sourceLocation)
        }
    }
}
