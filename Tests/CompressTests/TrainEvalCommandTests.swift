import Foundation
import Testing

@Suite("compress train and eval")
struct TrainEvalCommandTests {
    /// A folder of IDX files holding the 1000-image MNIST sample as both splits.
    func sampleDataDirectory() throws -> URL {
        let directory = try temporaryDirectory()
        let fixtures = repositoryRoot.appendingPathComponent("fixtures")
        for split in ["train", "t10k"] {
            for (kind, rank) in [("images", 3), ("labels", 1)] {
                try FileManager.default.copyItem(
                    at: fixtures.appendingPathComponent("mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                    to: directory.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
            }
        }
        return directory
    }

    @Test("train writes a model that eval then scores, with the same accuracy")
    func trainThenEval() throws {
        let data = try sampleDataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        let model = data.appendingPathComponent("model.h5").path
        let train = try runCompress(["train", "--arch", "lenet300", "--data", data.path, "--epochs", "2",
                                     "--batch-size", "50", "--seed", "3", "-o", model])
        #expect(train.status == 0, "\(train.stderr)")
        let finalLine = try #require(train.stdout.split(separator: "\n").first { $0.hasPrefix("test accuracy") })
        #expect(train.stderr.contains("epoch 2/2"))

        let eval = try runCompress(["eval", model, "--data", data.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let top1 = try #require(report["top1"] as? Double)
        #expect(report["images"] as? Int == 1000)
        #expect(top1 > 0.8)
        #expect(finalLine.contains(String(format: "%.2f%%", top1 * 100)))
    }

    @Test("the same seed gives the same model file, byte for byte")
    func deterministic() throws {
        let data = try sampleDataDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        var outputs: [Data] = []
        for run in ["a", "b"] {
            let folder = data.appendingPathComponent(run)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("model.h5").path
            let result = try runCompress(["train", "--arch", "lenet300", "--data", data.path, "--epochs", "1", "--seed", "9", "-o", path])
            #expect(result.status == 0)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test("a missing data set is one line naming the fetch script; bad usage keeps the parser's code")
    func errors() throws {
        let missing = try runCompress(["train", "--data", "/nonexistent/mnist", "--epochs", "1"])
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        let usage = try runCompress(["train", "--optimizer", "lbfgs"])
        #expect(usage.status == 64)
        let evalMissing = try runCompress(["eval", "/nonexistent/model.h5", "--data", "fixtures"])
        #expect(evalMissing.status == 1)
        #expect(evalMissing.stderr.contains("/nonexistent/model.h5"))
    }
}
