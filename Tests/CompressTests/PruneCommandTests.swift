import Foundation
import ModelIO
import Testing

@Suite("compress prune")
struct PruneCommandTests {
    let lenet300 = repositoryRoot.appendingPathComponent("fixtures/lenet300.h5").path

    /// A fresh folder with the 1000-image MNIST sample as both splits, in `data/`.
    func workspace() throws -> URL {
        let folder = try temporaryDirectory()
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let fixtures = repositoryRoot.appendingPathComponent("fixtures")
        for split in ["train", "t10k"] {
            for (kind, rank) in [("images", 3), ("labels", 1)] {
                try FileManager.default.copyItem(
                    at: fixtures.appendingPathComponent("mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                    to: data.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
            }
        }
        return folder
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("Han's LeNet-300-100 fractions: the table shows each layer's kept share and the file keeps the masks")
    func perLayerSparsity() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("pruned.h5").path
        let result = try runCompress(["prune", lenet300, "-o", output, "--sparsity", "fc1=0.92,fc2=0.91,fc3=0.74"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("fc1") && $0.contains("235,200") && $0.contains("18,816") && $0.contains("8.00%") })
        #expect(lines.contains { $0.hasPrefix("fc3") && $0.contains("1,000") && $0.contains("260") && $0.contains("26.00%") })
        #expect(lines.contains { $0.hasPrefix("model:") && $0.contains("266,610 parameters") })
        let model = try loadModel(path: output)
        let mask = try #require(model.parameter(named: "fc2.kernel")?.mask)
        #expect(mask.scalars.filter { $0 == 0 }.count == 27_300)

        // The same command writes the same bytes (the file name is the model's name, so keep it).
        let again = folder.appendingPathComponent("again")
        try FileManager.default.createDirectory(at: again, withIntermediateDirectories: true)
        let repeated = again.appendingPathComponent("pruned.h5").path
        #expect(try runCompress(["prune", lenet300, "-o", repeated, "--sparsity", "fc1=0.92,fc2=0.91,fc3=0.74"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: repeated)) == Data(contentsOf: URL(fileURLWithPath: output)))
    }

    @Test("a later compress train keeps the pruned weights at zero")
    func trainAfterPrune() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pruned = folder.appendingPathComponent("pruned.h5").path
        let trained = folder.appendingPathComponent("trained.h5").path
        #expect(try runCompress(["prune", lenet300, "-o", pruned, "--sparsity", "0.9"]).status == 0)
        let train = try runCompress(["train", "--arch", pruned, "--data", folder.appendingPathComponent("data").path,
                                     "--epochs", "1", "--batch-size", "100", "-o", trained])
        #expect(train.status == 0, "\(train.stderr)")
        let before = try loadModel(path: pruned), after = try loadModel(path: trained)
        for key in ["fc1.kernel", "fc2.kernel", "fc3.kernel"] {
            let mask = try #require(after.parameter(named: key)?.mask)
            #expect(mask == before.parameter(named: key)?.mask)
            let values = try #require(after.parameter(named: key)).value.scalars
            #expect(mask.scalars.indices.allSatisfy { mask.scalars[$0] != 0 || values[$0] == 0 })
            #expect(values != before.parameter(named: key)!.value.scalars, "training changed nothing")
        }
    }

    @Test("retraining on data reports the error before and after, as JSON; a second prune keeps the masks")
    func retrainAndReprune() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data").path
        let first = folder.appendingPathComponent("first.h5").path
        let result = try runCompress(["prune", lenet300, "-o", first, "--sparsity", "0.8", "--layers", "fc1,fc2",
                                      "--retrain", "--rounds", "1", "--epochs", "1", "--batch-size", "50", "--data", data, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try json(result.stdout)
        #expect(report["testErrorBefore"] is Double && report["testErrorAfter"] is Double)
        #expect(report["modelKeptPercent"] as? Double == 100 * Double(47_040 + 6_000 + 1_000 + 410) / 266_610)
        let layers = try #require(report["layers"] as? [[String: Any]])
        #expect(layers.map { $0["layer"] as? String } == ["fc1", "fc2"])
        #expect(layers.map { $0["nonZeros"] as? Int } == [47_040, 6_000])
        #expect(result.stderr.contains("retrained epoch 1/1"))

        let second = folder.appendingPathComponent("second.h5").path
        let again = try runCompress(["prune", first, "-o", second, "--sparsity", "0.5", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        let againLayers = try #require(try json(again.stdout)["layers"] as? [[String: Any]])
        #expect(againLayers.map { $0["nonZeros"] as? Int } == [47_040, 6_000, 500])
    }

    @Test("--retrain is accepted with dns, which always trains, as the issue's command line writes it")
    func surgeryWithRetrainFlag() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data").path
        let output = folder.appendingPathComponent("dns.h5").path
        let result = try runCompress(["prune", lenet300, "-o", output, "--method", "dns", "--c-rate", "1",
                                      "--retrain", "--epochs", "1", "--batch-size", "50", "--data", data, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try json(result.stdout)
        #expect((report["modelKeptPercent"] as? Double ?? 100) < 100)
    }

    @Test("bad values and layer names are clear errors, and the input is never overwritten")
    func errors() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.h5").path
        let usage = try runCompress(["prune", lenet300, "-o", output, "--sparsity", "1.0"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--sparsity must be in [0, 1), got 1.0"))
        let perLayer = try runCompress(["prune", lenet300, "-o", output, "--sparsity", "fc1=0.5,fc2=-0.2"])
        #expect(perLayer.status == 64)
        #expect(perLayer.stderr.contains("--sparsity for 'fc2' must be in [0, 1), got -0.2"))

        for (layers, message) in [("fc9", "compress: no layer named 'fc9'"), ("dense*", "compress: layer pattern 'dense*' matches no layer")] {
            let result = try runCompress(["prune", lenet300, "-o", output, "--sparsity", "0.5", "--layers", layers])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: output))

        let copy = folder.appendingPathComponent("model.h5").path
        try FileManager.default.copyItem(atPath: lenet300, toPath: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let same = try runCompress(["prune", copy, "-o", copy, "--sparsity", "0.5"])
        #expect(same.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)

        let mixed = try runCompress(["prune", lenet300, "-o", output, "--method", "dns", "--sparsity", "0.5"])
        #expect(mixed.status == 64)
    }
}
