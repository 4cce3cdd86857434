import Foundation
import Testing

/// Commands run in an empty temporary directory (no `data/`, no data set anywhere): the
/// post-training passes need none and print no accuracy; training and evaluation say `--data` is needed.
@Suite("Commands without data", .serialized)
final class NoDataCommandTests {
    let folder: URL

    init() throws {
        folder = try temporaryDirectory()
        for name in ["lenet300.h5", "lenet5.h5"] {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/\(name)"),
                                             to: folder.appendingPathComponent(name))
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    func run(_ arguments: [String]) throws -> CommandResult {
        try runCompress(arguments, in: folder)
    }

    @Test("quantize (every method), prune, svd, flatten and huffman run without data and print no accuracy",
          arguments: [
              ["quantize", "lenet300.h5", "-o", "q.h5", "--method", "int8"],
              ["quantize", "lenet300.h5", "-o", "q.h5", "--method", "fp16"],
              ["quantize", "lenet300.h5", "-o", "q.h5", "--method", "kmeans", "--bits", "4"],
              ["prune", "lenet300.h5", "-o", "p.h5", "--sparsity", "0.5"],
              ["svd", "lenet300.h5", "-o", "s.h5", "--ratio", "2", "--layers", "fc1"],
              ["flatten", "lenet5.h5", "-o", "f.h5", "--rank", "2", "--layers", "conv2", "--iterations", "5", "--restarts", "1"],
              ["huffman", "lenet300.h5", "-o", "m.dcz"],
          ])
    func postTrainingPassesNeedNoData(arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(!result.stdout.lowercased().contains("accuracy"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(arguments[3]).path))
    }

    @Test("training, evaluation and retraining without --data: a usage error saying --data is needed",
          arguments: [
              (["train", "--epochs", "1"], "to train"),
              (["eval", "lenet300.h5"], "to evaluate"),
              (["quantize", "lenet300.h5", "-o", "q.h5", "--method", "kmeans", "--retrain"], "to fine-tune"),
              (["prune", "lenet300.h5", "-o", "p.h5", "--sparsity", "0.5", "--retrain"], "to train while pruning"),
              (["prune", "lenet300.h5", "-o", "p.h5", "--method", "agp", "--sparsity", "0.5"], "to train while pruning"),
              (["svd", "lenet300.h5", "-o", "s.h5", "--ratio", "2", "--retrain"], "to fine-tune"),
              (["sensitivity", "lenet300.h5"], "to measure sensitivity"),
          ])
    func commandsThatNeedDataSaySo(arguments: [String], purpose: String) throws {
        let result = try run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains("--data is needed \(purpose)"), "\(result.stderr)")
    }

    @Test("--data mnist when it is missing: one line naming the files, where to download them and where to put them")
    func missingMNISTSaysHowToGetIt() throws {
        let result = try run(["eval", "lenet300.h5", "--data", "mnist"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        for word in ["t10k-images-idx3-ubyte.gz", "https://", folder.appendingPathComponent("data/mnist").path, "--data"] {
            #expect(result.stderr.contains(word), "\(word) in \(result.stderr)")
        }
    }

    @Test("a recipe without data: one line naming the data key")
    func recipeNamesItsData() throws {
        let recipe = folder.appendingPathComponent("recipe.yaml")
        try Data("model: lenet300.h5\nstages:\n  - type: quantize\n    method: fp16\n".utf8).write(to: recipe)
        let result = try run(["run", recipe.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("data") && result.stderr.contains("is needed"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
