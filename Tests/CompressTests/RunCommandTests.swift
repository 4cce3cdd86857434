import Foundation
import Testing

@Suite("compress run")
final class RunCommandTests {
    let folder: URL

    init() throws {
        folder = try temporaryDirectory()
        let fixtures = repositoryRoot.appendingPathComponent("fixtures")
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for split in ["train", "t10k"] {
            for (kind, rank) in [("images", 3), ("labels", 1)] {
                try FileManager.default.copyItem(
                    at: fixtures.appendingPathComponent("mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                    to: data.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
            }
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes a recipe with the sample data and outputs in the test folder; returns its path.
    func recipe(_ stages: String) throws -> String {
        let path = folder.appendingPathComponent("recipe.yaml").path
        let text = """
            name: small
            data: \(folder.path)/data
            stages:
            \(stages)
            outputs:
              directory: \(folder.path)/out
              compressed: small.dcz
              report: report.md
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    var cacheArguments: [String] { ["--cache-dir", folder.appendingPathComponent("cache").path] }

    @Test("a misspelt key exits with 1 and one line naming the key and its line")
    func misspeltKey() throws {
        let path = try recipe("""
              - type: train
                arch: lenet300
              - type: prune
                sparsty: 0.9
            """)
        let result = try runCompress(["run", path, "--dry-run"] + cacheArguments)
        #expect(result.status == 1)
        #expect(result.stderr == "compress: \(path):7: key 'stages[1].sparsty': unknown key; did you mean 'sparsity'?\n")
    }

    @Test("--dry-run prints each stage with its settings and cache key, and runs nothing")
    func dryRun() throws {
        let path = try recipe("""
              - type: train
                arch: lenet300
                epochs: 1
              - type: huffman
            """)
        let result = try runCompress(["run", path, "--dry-run"] + cacheArguments)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines[0].hasPrefix("recipe small (\(path)): data "))
        #expect(lines[1].contains(/^1 train \[[0-9a-f]{16}\] to run: arch lenet300, 1 epoch, nesterov lr 0.05/))
        #expect(lines[2].contains(/^2 huffman \[[0-9a-f]{16}\] to run: index bits: dense 5, conv 8/))
        #expect(lines[3] == "outputs: \(folder.path)/out/small.dcz, \(folder.path)/out/report.md")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("cache").path))
    }

    @Test("a run writes the outputs; the next run takes every stage from the cache")
    func runTwice() throws {
        let path = try recipe("""
              - type: train
                arch: lenet300
                epochs: 1
              - type: huffman
            """)
        let first = try runCompress(["run", path] + cacheArguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("stage 1/2 train: top-1 "))
        let compressed = folder.appendingPathComponent("out/small.dcz").path
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: compressed))
        let report = try String(contentsOfFile: folder.appendingPathComponent("out/report.md").path, encoding: .utf8)
        #expect(report.hasPrefix("# small"))
        #expect(report.contains("| 2 | huffman |"))

        let second = try runCompress(["run", path] + cacheArguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("stage 1/2 train (cached)"))
        #expect(second.stdout.contains("stage 2/2 huffman (cached)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: compressed)) == firstBytes)

        let dry = try runCompress(["run", path, "--dry-run"] + cacheArguments)
        #expect(dry.stdout.split(separator: "\n").filter { $0.contains("] cached: ") }.count == 2)
    }
}
