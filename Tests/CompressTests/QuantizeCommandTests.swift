import Foundation
import ModelIO
import Testing

@Suite("compress quantize")
struct QuantizeCommandTests {
    let lenet300 = repositoryRoot.appendingPathComponent("fixtures/lenet300.h5").path

    /// A data folder whose train and test splits are both the 1,000 fixture MNIST test images.
    func smallMNIST(in directory: URL) throws -> String {
        let data = directory.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for split in ["train", "t10k"] {
            for kind in ["images-idx3", "labels-idx1"] {
                try FileManager.default.copyItem(
                    at: repositoryRoot.appendingPathComponent("fixtures/mnist-test-1000-\(kind)-ubyte.gz"),
                    to: data.appendingPathComponent("\(split)-\(kind)-ubyte.gz"))
            }
        }
        return data.path
    }

    @Test("int8 per channel: a report per layer, accuracy before and after, a loadable output with codes")
    func int8PerChannel() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("int8.h5").path
        let result = try runCompress(["quantize", lenet300, "-o", output, "--method", "int8", "--per-channel",
                                      "--data", try smallMNIST(in: directory)])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("fc1.kernel") && $0.contains("784x300") && $0.contains("300 scales") })
        #expect(lines.contains { $0.hasPrefix("test accuracy on 1,000 images: before") && $0.contains("quantized") })
        let (model, state) = try loadModelWithCompressionState(path: output)
        #expect(state.quantization.keys.sorted() == ["fc1.kernel", "fc2.kernel", "fc3.kernel"])
        #expect(model.parameter(named: "fc1.bias")!.value == (try loadModel(path: lenet300)).parameter(named: "fc1.bias")!.value)
    }

    @Test("k-means with fine-tuning: every kernel keeps at most 2^bits values; --json carries the figures")
    func kmeansRetrained() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("kmeans.h5").path
        let result = try runCompress(["quantize", lenet300, "-o", output, "--method", "kmeans", "--bits", "3,fc3=2",
                                      "--init", "density", "--retrain", "--epochs", "1", "--data", try smallMNIST(in: directory),
                                      "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["method"] as? String == "kmeans")
        #expect(report?["testAccuracyRetrained"] is Double)
        let rows = report?["rows"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["bits"] as? Int } == [3, 3, 2])
        let model = try loadModel(path: output)
        for (key, bits) in [("fc1.kernel", 3), ("fc2.kernel", 3), ("fc3.kernel", 2)] {
            let parameter = try #require(model.parameter(named: key))
            #expect(Set(parameter.value.scalars).count <= 1 << bits)
            #expect(parameter.codebook != nil)
        }
    }

    @Test("wrong usage is a usage error", arguments: [
        ["--method", "kmeans", "--bits", "17"],
        ["--method", "kmeans", "--bits", "0"],
        ["--method", "kmeans", "--bits", "conv*=x"],
        ["--method", "int8", "--bits", "5"],
        ["--method", "fp16", "--per-channel"],
        ["--method", "kmeans", "--asymmetric"],
        ["--method", "int8", "--retrain"],
        ["--method", "kmeans", "--epochs", "3"],
        ["--method", "int4"],
    ])
    func usageErrors(arguments: [String]) throws {
        let result = try runCompress(["quantize", lenet300, "-o", "/tmp/unused.h5"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
    }

    @Test("a bits glob matching no layer, or writing over the input, fails with one line and keeps the input")
    func runtimeErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try smallMNIST(in: directory)
        let glob = try runCompress(["quantize", lenet300, "-o", directory.appendingPathComponent("x.h5").path,
                                    "--method", "kmeans", "--bits", "conv*=8", "--data", data])
        #expect(glob.status == 1)
        #expect(glob.stderr.hasPrefix("compress: ") && glob.stderr.contains("conv*") && glob.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.h5").path))

        let input = directory.appendingPathComponent("model.h5").path
        try FileManager.default.copyItem(atPath: lenet300, toPath: input)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let same = try runCompress(["quantize", input, "-o", input, "--method", "fp16", "--data", data])
        #expect(same.status == 1)
        #expect(same.stderr.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    }
}
