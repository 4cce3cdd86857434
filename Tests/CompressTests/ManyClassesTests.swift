import Foundation
import HDF5
import ModelIO
import Testing

/// A 100-class model trained, evaluated, pruned and quantized end to end on tiny generated data
/// (the CI-sized form of `Scripts/make-100class-data.py`), stored both as `.npz` and as HDF5.
@Suite("100 classes", .serialized)
final class ManyClassesTests {
    static let classes = 100
    let folder: URL

    /// 6x6x3 float images whose class `c` lights up pixel value `c` (of 108) over faint noise.
    static func split(examplesPerClass: Int, seed: Int) -> (x: [Float], y: [Int64]) {
        var x: [Float] = [], y: [Int64] = []
        for example in 0..<(classes * examplesPerClass) {
            let label = example % classes
            x += (0..<108).map { Float(($0 * 31 + example * 17 + seed) % 13) / 130 + ($0 == label ? 1 : 0) }
            y.append(Int64(label))
        }
        return (x, y)
    }

    init() throws {
        folder = try temporaryDirectory()
        let train = ManyClassesTests.split(examplesPerClass: 4, seed: 1)
        let test = ManyClassesTests.split(examplesPerClass: 2, seed: 2)
        let arrays = [("x_train", train.x, train.y.count), ("x_test", test.x, test.y.count)]
        var zip = ZipWriter()
        let file = try HDF5File.create(folder.appendingPathComponent("data.h5").path)
        for (name, x, count) in arrays {
            try zip.append(name + ".npy", contents: NumPyArray(shape: [count, 6, 6, 3], floats: x).encoded())
            try file.root.createDataset(name, values: x, shape: [count, 6, 6, 3])
        }
        for (name, y) in [("y_train", train.y), ("y_test", test.y)] {
            try zip.append(name + ".npy", contents: NumPyArray(shape: [y.count], integers: y).encoded())
            try file.root.createDataset(name, values: y, shape: [y.count])
        }
        file.close()
        try Data(zip.finished()).write(to: folder.appendingPathComponent("data.npz"))
        try Data("input 6x6x3\nflatten\ndense fc1 units=64 activation=relu\ndense fc2 units=100 activation=softmax\n".utf8)
            .write(to: folder.appendingPathComponent("classes100.arch"))
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    func run(_ arguments: [String]) throws -> CommandResult {
        try runCompress(arguments, in: folder)
    }

    /// The top-1 percentage `eval` prints.
    func top1(_ result: CommandResult) throws -> Double {
        let text = try #require(result.stdout.firstRange(of: "top-1 ").map { result.stdout[$0.upperBound...] })
        return try #require(Double(text.prefix { $0 != "%" }))
    }

    @Test("trains on .npz, evaluates the same on .npz and HDF5, prunes and quantizes with either")
    func trainEvaluatePruneQuantize() throws {
        let train = try run(["train", "--arch", "classes100.arch", "--data", "data.npz", "--epochs", "15",
                             "--lr", "0.1", "--batch-size", "20", "-o", "m.h5"])
        #expect(train.status == 0, "\(train.stderr)")
        let npz = try run(["eval", "m.h5", "--data", "data.npz"])
        let hdf5 = try run(["eval", "m.h5", "--data", "data.h5"])
        #expect(npz.status == 0 && hdf5.status == 0, "\(npz.stderr) \(hdf5.stderr)")
        #expect(npz.stdout.contains("(200 images)"))
        let accuracy = try top1(npz)
        #expect(accuracy > 50, "100 classes learnt: top-1 \(accuracy)%")
        #expect(try top1(hdf5) == accuracy)
        let prune = try run(["prune", "m.h5", "-o", "p.h5", "--sparsity", "0.5", "--data", "data.h5"])
        #expect(prune.status == 0 && prune.stdout.contains("test error"), "\(prune.stderr)")
        let quantize = try run(["quantize", "p.h5", "-o", "q.h5", "--method", "kmeans", "--bits", "5", "--data", "data.npz"])
        #expect(quantize.status == 0 && quantize.stdout.contains("test accuracy on 200 images"), "\(quantize.stderr)")
    }

    @Test("a label the model has no output for: exit 1, one line naming the file and the index")
    func labelBeyondTheModelsOutputs() throws {
        try Data("input 6x6x3\nflatten\ndense fc units=10 activation=softmax\n".utf8).write(to: folder.appendingPathComponent("ten.arch"))
        let result = try run(["train", "--arch", "ten.arch", "--data", "data.npz", "--epochs", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("data.npz: y_train: label 10 at index 10 is not below the model's 10 outputs"), "\(result.stderr)")
    }
}
