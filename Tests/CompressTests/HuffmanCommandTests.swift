import Compression
import Foundation
import ModelIO
import NN
import TensorCore
import Testing

@Suite("compress huffman and decompress")
struct HuffmanCommandTests {
    /// A folder with the 1000-image MNIST sample as both splits, for `--data`.
    func dataFolder(in folder: URL) throws -> String {
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for split in ["train", "t10k"] {
            for (kind, rank) in [("images", 3), ("labels", 1)] {
                try FileManager.default.copyItem(
                    at: repositoryRoot.appendingPathComponent("fixtures/mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                    to: data.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
            }
        }
        return data.path
    }

    /// LeNet-300-100 from the fixtures with its kernels pruned by magnitude (Han's kept fractions)
    /// and shared on 16 evenly spaced centroids, saved with its compression metadata.
    func prunedSharedLeNet(at path: String) throws -> (Model, CompressionState) {
        let model = try loadModel(path: repositoryRoot.appendingPathComponent("fixtures/lenet300.h5").path)
        var state = CompressionState()
        for (layer, kept) in [("fc1", 0.08), ("fc2", 0.09), ("fc3", 0.26)] {
            let kernel = model.parameter(named: "\(layer).kernel")!
            let magnitudes = kernel.value.scalars.map(abs).sorted()
            let threshold = magnitudes[Int(Double(magnitudes.count) * (1 - kept))]
            kernel.mask = Tensor(shape: kernel.shape, scalars: kernel.value.scalars.map { abs($0) >= threshold ? 1 : 0 })
            kernel.applyMask()
            let low = kernel.value.scalars.min()!, high = kernel.value.scalars.max()!
            let centroids = (0..<16).map { low + (high - low) * Float($0) / 15 }
            let assignments = zip(kernel.value.scalars, kernel.mask!.scalars).map { value, keep -> Int32 in
                keep == 0 ? -1 : Int32(centroids.indices.min { abs(centroids[$0] - value) < abs(centroids[$1] - value) }!)
            }
            kernel.codebook = Codebook(assignments: assignments, centroids: centroids)
            state.quantization["\(layer).kernel"] = .weightSharing(bits: 4)
        }
        try saveKerasModel(model, name: "lenet300", to: path, compressionState: state)
        return (model, state)
    }

    @Test("a pruned, shared LeNet-300-100 encodes small, decompresses bit for bit, and evaluates the same from the .dcz")
    func roundTripThroughCommands() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("shared.h5").path
        let packed = folder.appendingPathComponent("shared.dcz").path
        let restored = folder.appendingPathComponent("restored.h5").path
        let (model, state) = try prunedSharedLeNet(at: input)

        let encoded = try runCompress(["huffman", input, "-o", packed])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let lines = encoded.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("fc1.kernel") && $0.contains("codebook k=16 U, sparse b=5") && $0.contains("18,816") })
        #expect(lines.contains { $0.hasPrefix("wrote \(packed)") && $0.contains("checked bit for bit") })
        let size = try #require(try FileManager.default.attributesOfItem(atPath: packed)[.size] as? Int)
        #expect(size < 266_610 * 4 / 30)

        let decoded = try runCompress(["decompress", packed, "-o", restored])
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(decoded.stdout.contains("266,610 parameters"))
        let (back, backState) = try loadModelWithCompressionState(path: restored)
        #expect(backState == state)
        for (key, parameter) in model.namedParameters {
            let other = try #require(back.parameter(named: key))
            let kept = parameter.mask?.scalars
            let expected = parameter.value.scalars.enumerated().map { kept?[$0.offset] == 0 ? 0 : $0.element }
            #expect(other.value.scalars.map(\.bitPattern) == expected.map(\.bitPattern), "\(key)")
            #expect(other.mask == parameter.mask)
            #expect(other.codebook?.centroids == parameter.codebook?.centroids)
        }

        let data = try dataFolder(in: folder)
        let fromH5 = try runCompress(["eval", input, "--data", data, "--json"])
        let fromDCZ = try runCompress(["eval", packed, "--data", data, "--json"])
        #expect(fromDCZ.status == 0, "\(fromDCZ.stderr)")
        func accuracy(_ text: String) throws -> [Double] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return [object["top1"] as? Double ?? -1, object["loss"] as? Double ?? -1]
        }
        #expect(try accuracy(fromDCZ.stdout) == accuracy(fromH5.stdout))
    }

    @Test("inspect shows each parameter's shape, encoding, bits and bytes of a .dcz, in text and JSON")
    func inspectCompressed() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let packed = folder.appendingPathComponent("tiny.dcz").path
        #expect(try runCompress(["huffman", repositoryRoot.appendingPathComponent("fixtures/tiny-mlp.h5").path, "-o", packed]).status == 0)
        let text = try runCompress(["inspect", packed])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("\(packed): compressed,"))
        let kernelLines = text.stdout.split(separator: "\n").filter { $0.contains(".kernel") && $0.contains("float") }
        #expect(!kernelLines.isEmpty)
        let json = try runCompress(["inspect", packed, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "compressed")
        let compressed = try #require(object["compressed"] as? [String: Any])
        let bytes = try #require(try FileManager.default.attributesOfItem(atPath: packed)[.size] as? Int)
        #expect(compressed["fileBytes"] as? Int == bytes)
        let layers = try #require(compressed["layers"] as? [[String: Any]])
        let first = try #require((layers.first?["parameters"] as? [[String: Any]])?.first)
        #expect(first["encoding"] as? String != nil && first["bytes"] as? Int != nil && first["valueBitsPerStored"] as? Double != nil)
    }

    @Test("an int8 model keeps its codes and scales through huffman and decompress")
    func int8RoundTrip() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("int8.h5").path
        let restored = folder.appendingPathComponent("back.h5").path
        let model = try loadModel(path: repositoryRoot.appendingPathComponent("fixtures/tiny-mlp.h5").path)
        var state = CompressionState()
        for (key, parameter) in model.namedParameters where parameter.name == "kernel" {
            let quantized = Int8QuantizedTensor(quantizing: parameter.value, symmetric: true, axis: parameter.shape.count - 1)
            parameter.value = quantized.dequantized()
            state.quantization[key] = .int8(quantized)
        }
        try saveKerasModel(model, name: "tiny", to: input, compressionState: state)
        let packed = folder.appendingPathComponent("int8.dcz").path
        let encoded = try runCompress(["huffman", input, "-o", packed])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        #expect(encoded.stdout.contains("int8"))
        #expect(try runCompress(["decompress", packed, "-o", restored]).status == 0)
        let (back, backState) = try loadModelWithCompressionState(path: restored)
        #expect(backState == state)
        #expect(back.namedParameters.map { $0.parameter.value.scalars } == model.namedParameters.map { $0.parameter.value.scalars })
    }

    @Test("index widths outside 2...8 are usage errors")
    func badIndexBits() throws {
        let result = try runCompress(["huffman", "x.h5", "-o", "x.dcz", "--dense-index-bits", "9"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--dense-index-bits"))
    }

    @Test("corrupt, truncated or missing files and an output over the input exit 1 with one line naming the file",
          arguments: ["decompress", "eval", "inspect", "huffman"])
    func badFiles(command: String) throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.dcz").path
        #expect(try runCompress(["huffman", repositoryRoot.appendingPathComponent("fixtures/tiny-mlp.h5").path, "-o", good]).status == 0)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
        let flipped = folder.appendingPathComponent("flipped.dcz").path
        bytes[bytes.count / 2] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: flipped))
        let truncated = folder.appendingPathComponent("truncated.dcz").path
        try Data(bytes.prefix(bytes.count - 7)).write(to: URL(fileURLWithPath: truncated))
        let missing = folder.appendingPathComponent("missing.dcz").path
        let output = folder.appendingPathComponent("out.h5").path
        for path in [flipped, truncated, missing] {
            var arguments = [command, path]
            if command == "decompress" || command == "huffman" { arguments += ["-o", output] }
            if command == "eval" { arguments += ["--data", folder.path] }
            let result = try runCompress(arguments)
            #expect(result.status == 1, "\(command) \(path)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("compress: \(path)"), "\(result.stderr)")
        }
        if command == "huffman" || command == "decompress" {
            let result = try runCompress([command, good, "-o", good])
            #expect(result.status == 1)
            #expect(result.stderr.contains("is also an input"))
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
