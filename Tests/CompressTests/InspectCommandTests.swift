import Foundation
import Testing

@Suite("compress inspect")
struct InspectCommandTests {
    let lenet300 = repositoryRoot.appendingPathComponent("fixtures/lenet300.h5").path

    @Test("lists the three Dense layers of a Keras LeNet-300-100 and 266,610 parameters")
    func kerasLeNet300() throws {
        let result = try runCompress(["inspect", lenet300])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let layerLines = lines.filter { $0.contains("Dense") }
        #expect(layerLines.count == 3)
        #expect(layerLines[0].hasPrefix("fc1") && layerLines[0].contains("784x300") && layerLines[0].contains("235,500"))
        #expect(layerLines[1].hasPrefix("fc2") && layerLines[1].contains("300x100") && layerLines[1].contains("30,100"))
        #expect(layerLines[2].hasPrefix("fc3") && layerLines[2].contains("100x10") && layerLines[2].contains("1,010"))
        #expect(lines.contains { $0.hasPrefix("total") && $0.hasSuffix("266,610") })
    }

    @Test("--json carries the same layers and total")
    func json() throws {
        let result = try runCompress(["inspect", lenet300, "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let keras = object?["keras"] as? [String: Any]
        #expect(keras?["totalParameters"] as? Int == 266_610)
        let layers = keras?["layers"] as? [[String: Any]] ?? []
        #expect(layers.map { $0["name"] as? String } == ["fc1", "fc2", "fc3"])
        #expect(layers.first?["kernelShape"] as? [Int] == [784, 300])
        #expect((object?["objects"] as? [Any])?.isEmpty == false)
    }

    @Test("LeNet-5 lists convolutions with filters and 431,080 parameters")
    func kerasLeNet5() throws {
        let result = try runCompress(["inspect", repositoryRoot.appendingPathComponent("fixtures/lenet5.h5").path])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix("conv2 ") && $0.contains("Conv2D") && $0.contains("5x5x20x50") })
        #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix("total") && $0.hasSuffix("431,080") })
    }

    @Test("a plain HDF5 file shows its tree of datasets")
    func plainHDF5Tree() throws {
        let result = try runCompress(["inspect", repositoryRoot.appendingPathComponent("fixtures/tiny-mlp.weights.h5").path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("hdf5"))
        #expect(result.stdout.split(separator: "\n").contains { $0.contains("0") && $0.contains("8x4") && $0.contains("float32") })
    }

    @Test("missing, non-HDF5 and truncated files exit 1 with one line on stderr", arguments: ["missing", "text", "truncated"])
    func badFiles(kind: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.h5").path
        switch kind {
        case "text":
            try Data("not an HDF5 file\n".utf8).write(to: URL(fileURLWithPath: path))
        case "truncated":
            let bytes = try Data(contentsOf: URL(fileURLWithPath: lenet300))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        default:
            break
        }
        let result = try runCompress(["inspect", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1)
        #expect(lines.first?.contains(path) == true)
    }
}
