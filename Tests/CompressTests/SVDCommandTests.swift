import Foundation
import ModelIO
import NN
import Testing

/// A data folder whose train and test splits are both the 1,000 fixture MNIST test images.
private func thousandImageMNIST(in directory: URL) throws -> String {
    let data = directory.appendingPathComponent("mnist")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    for split in ["train", "t10k"] {
        for kind in ["images-idx3", "labels-idx1"] {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/mnist-test-1000-\(kind)-ubyte.gz"),
                                             to: data.appendingPathComponent("\(split)-\(kind)-ubyte.gz"))
        }
    }
    return data.path
}

@Suite("compress svd and compress flatten")
struct SVDCommandTests {
    let lenet300 = repositoryRoot.appendingPathComponent("fixtures/lenet300.h5").path
    let lenet5 = repositoryRoot.appendingPathComponent("fixtures/lenet5.h5").path

    @Test("svd --ratio 4 on fc1, fc2: ranks 54 and 18, 4x fewer parameters there, accuracy before and after, a loadable model")
    func svdByRatio() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("svd.h5").path
        let result = try runCompress(["svd", lenet300, "-o", output, "--ratio", "4", "--layers", "fc1,fc2",
                                      "--data", try thousandImageMNIST(in: directory)])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("fc1 ") && $0.contains(" 54 ") && $0.contains("235,500") && $0.contains("58,836") })
        #expect(lines.contains { $0.hasPrefix("fc2 ") && $0.contains(" 18 ") && $0.contains("7,300") })
        #expect(lines.contains("factorized layers: 265,600 -> 66,136 parameters (4.02x fewer)"))
        #expect(lines.contains { $0.hasPrefix("test accuracy: ") && $0.contains("before") && $0.contains("factorized") })
        #expect(lines.last == "saved \(output)")
        let model = try loadModel(path: output)
        #expect(model.layerNames == ["fc1_u", "fc1", "fc2_u", "fc2", "fc3"])
        #expect(model.parameterCount == 67_146)
    }

    @Test("svd --energy with --json and retraining: the report carries ranks, energies and three accuracies")
    func svdByEnergyRetrained() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("svd.h5").path
        let result = try runCompress(["svd", lenet300, "-o", output, "--energy", "0.5", "--layers", "fc*", "--retrain",
                                      "--epochs", "1", "--data", try thousandImageMNIST(in: directory), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["pass"] as? String == "svd" && report["rankRule"] as? String == "energy 0.5")
        #expect(report["testAccuracyBefore"] is Double && report["testAccuracyRetrained"] is Double)
        let layers = try #require(report["layers"] as? [[String: Any]])
        #expect(layers.map { $0["layer"] as? String } == ["fc1", "fc2", "fc3"])
        for layer in layers where layer["leftAloneReason"] == nil {
            #expect((layer["discardedEnergy"] as? Double ?? 1) <= 0.5)
        }
    }

    @Test("flatten conv2: conv2_l, conv2_v, conv2_h, conv2 with the kinds Keras knows")
    func flattenConv2() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("flat.h5").path
        let result = try runCompress(["flatten", lenet5, "-o", output, "--rank", "8", "--layers", "conv2",
                                      "--iterations", "20", "--restarts", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix("conv2 ") && $0.contains("cp-als") && $0.contains("conv2_l, conv2_v, conv2_h, conv2") })
        let model = try loadModel(path: output)
        #expect(model.layerNames == ["conv1", "pool1", "conv2_l", "conv2_v", "conv2_h", "conv2", "pool2", "flatten", "fc1", "fc2"])
        #expect(model.layer(named: "conv2_v") is DepthwiseConv2D && model.layer(named: "conv2") is Conv2D)
        // 8 terms of 20 + 5 + 5 + 50 weights, and the 50 biases, in place of 25,050.
        #expect(model.parameterCount == 431_080 - 25_050 + 8 * 80 + 50)
    }

    @Test("usage mistakes are validation errors", arguments: [
        ["svd", "MODEL", "-o", "OUT"],
        ["svd", "MODEL", "-o", "OUT", "--rank", "4", "--ratio", "2"],
        ["svd", "MODEL", "-o", "OUT", "--energy", "1.5"],
        ["svd", "MODEL", "-o", "OUT", "--rank", "0"],
        ["svd", "MODEL", "-o", "OUT", "--rank", "4", "--epochs", "3"],
        ["svd", "MODEL", "-o", "OUT", "--energy", "0.9", "--method", "randomized"],
        ["flatten", "MODEL", "-o", "OUT"],
        ["flatten", "MODEL", "-o", "OUT", "--ratio", "0.5"],
        ["flatten", "MODEL", "-o", "OUT", "--rank", "4", "--restarts", "0"],
    ])
    func usageErrors(arguments: [String]) throws {
        let result = try runCompress(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("Error:"))
    }

    @Test("bad input exits 1 with one line naming the problem; the input is never overwritten")
    func badInput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("lenet300.h5").path
        try FileManager.default.copyItem(atPath: lenet300, toPath: copy)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        let output = directory.appendingPathComponent("out.h5").path
        for (arguments, expected) in [
            (["svd", copy, "-o", copy, "--rank", "8"], "is also an input"),
            (["svd", directory.appendingPathComponent("missing.h5").path, "-o", output, "--rank", "8"], "missing.h5"),
            (["svd", copy, "-o", output, "--rank", "8", "--layers", "conv*"], "'conv*' matches no layer"),
            (["flatten", copy, "-o", output, "--rank", "8"], "the model has no Conv2D layer"),
        ] {
            let result = try runCompress(arguments)
            #expect(result.status == 1, "\(arguments)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("compress: ") == true && result.stderr.contains(expected),
                    "\(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == bytes)
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
