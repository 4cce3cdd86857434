import Foundation
import ModelIO
import NN
import TensorCore

/// Paths and expectations of the Keras fixtures in `fixtures/`, made by `Scripts/make-keras-fixtures.sh`.
enum KerasFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures")

    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// The per-model entry of `keras-fixtures.json`.
    static func expectations(_ model: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("keras-fixtures.json"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (json?["models"] as? [String: Any])?[model] as? [String: Any] ?? [:]
    }

    /// Keras's softmax outputs for the first 1000 test images, `[1000, 10]`.
    static func kerasPredictions(_ file: String) throws -> [Float] {
        let data = try Data(contentsOf: root.appendingPathComponent(file))
        return data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
    }

    /// The first 1000 MNIST test images (bytes / 255) and labels.
    static func mnistSample() throws -> Dataset {
        try Dataset(idxImages: root.appendingPathComponent("mnist-test-1000-images-idx3-ubyte.gz"),
                    labels: root.appendingPathComponent("mnist-test-1000-labels-idx1-ubyte.gz"))
    }
}

/// The index of the largest value of each row of a `[n, k]` tensor.
func rowArgmax(_ t: Tensor) -> [Int] { t.argmax(alongAxis: 1) }
