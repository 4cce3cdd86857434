import Foundation
import Testing

/// No output may be, or resolve to, an input or another output, and an output that is not a
/// regular file is refused, before any work starts (issue 19, items 1 to 4, 15 and 16).
@Suite("outputs never replace inputs, each other, or what is not a regular file")
struct OutputSafetyTests {
    /// Expects exit 1 and one line on stderr containing every piece of `expected`.
    func expectRefused(_ result: CommandResult, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("compress: ") == true, "\(result.stderr)", sourceLocation: sourceLocation)
        for piece in expected {
            #expect(result.stderr.contains(piece), "\(result.stderr) lacks \(piece)", sourceLocation: sourceLocation)
        }
    }

    @Test("an output that is an input (the model, a data set file, through a symbolic or hard link) is refused and the input kept")
    func outputIsAnInput() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        let dataFile = folder.path("data/t10k-labels-idx1-ubyte.gz")
        let labels = try Data(contentsOf: URL(fileURLWithPath: dataFile))
        try folder.link("alias.h5", to: folder.path("tiny.h5"))
        #expect(link(folder.path("tiny.h5"), folder.path("hard.h5")) == 0)
        let model = folder.bytes("tiny.h5")
        for (arguments, named) in [
            (["quantize", folder.path("lenet300.h5"), "-o", dataFile, "--method", "fp16", "--data", folder.path("data")], dataFile),
            (["huffman", folder.path("tiny.h5"), "-o", folder.path("alias.h5")], folder.path("tiny.h5")),
            (["huffman", folder.path("tiny.h5"), "-o", folder.path("hard.h5")], folder.path("tiny.h5")),
            (["prune", folder.path("tiny.h5"), "-o", folder.path("./tiny.h5"), "--sparsity", "0.5"], folder.path("tiny.h5")),
        ] {
            let result = try runCompress(arguments)
            expectRefused(result, ["is also an input", named])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dataFile)) == labels)
        #expect(folder.bytes("tiny.h5") == model)
    }

    @Test("an output that is a FIFO, a device, a directory, a dangling link or a link loop is refused, and left as it was")
    func outputNotARegularFile() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        try folder.fifo("fifo")
        try folder.link("loop1", to: "loop2")
        try folder.link("loop2", to: "loop1")
        try folder.link("dangling", to: "nowhere")
        try FileManager.default.createDirectory(atPath: folder.path("dir"), withIntermediateDirectories: false)
        var cases = [("fifo", "is a FIFO, not a regular file"), ("loop1", "is a symbolic link loop"),
                     ("dangling", "symbolic link to a file that does not exist"), ("dir", "is a directory")]
        // A character device like /dev/null (makedev(1, 3)); only root may make one.
        if mknod(folder.path("fakenull"), S_IFCHR | 0o644, dev_t(1 << 8 | 3)) == 0 {
            cases.append(("fakenull", "is a character device, not a regular file"))
        } else {
            print("skipping the device case: mknod needs root")
        }
        for (name, message) in cases {
            let result = try runCompress(["huffman", folder.path("tiny.h5"), "-o", folder.path(name)])
            expectRefused(result, [folder.path(name), message])
        }
        var status = stat()
        #expect(lstat(folder.path("fifo"), &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat(folder.path("loop1"), &status) == 0 && status.st_mode & S_IFMT == S_IFLNK)
        #expect(!FileManager.default.fileExists(atPath: folder.path("nowhere")))
    }

    @Test("an empty output path, a trailing slash and a missing folder are refused before any work")
    func outputPathShape() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        expectRefused(try runCompress(["huffman", folder.path("tiny.h5"), "-o", ""]), ["the output path is empty"])
        expectRefused(try runCompress(["huffman", folder.path("tiny.h5"), "-o", folder.path("newdir") + "/"]), ["ends with '/'"])
        #expect(!FileManager.default.fileExists(atPath: folder.path("newdir")))
        expectRefused(try runCompress(["prune", folder.path("tiny.h5"), "-o", folder.path("no/such/dir/p.h5"), "--sparsity", "0.5"]),
                      ["does not exist"])
    }

    @Test("recipe outputs: the report over the model, two outputs on one file, paths outside outputs.directory; refused at --dry-run, before any stage")
    func recipeOutputs() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        let model = folder.bytes("lenet300.h5")
        /// A recipe from the model to a .dcz with `outputs` (the lines under `outputs:`).
        func recipe(_ outputs: String) throws -> String {
            try folder.write("""
                model: \(folder.path("lenet300.h5"))
                data: \(folder.path("data"))
                stages:
                  - type: quantize
                    method: fp16
                  - type: huffman
                outputs:
                \(outputs)
                """, to: "recipe.yaml")
        }
        let cache = folder.path("cache")
        let out = "  directory: \(folder.path("out"))\n"
        for (outputs, expected) in [
            ("  directory: \(folder.path(""))\n  report: lenet300.h5", ["key 'outputs'", "outputs.report is also an input", folder.path("lenet300.h5")]),
            ("  directory: \(folder.path(""))\n  report: recipe.yaml", ["outputs.report is also an input, the recipe"]),
            (out + "  model: same.bin\n  compressed: same.bin", ["outputs.compressed is also outputs.model", "same.bin"]),
            (out + "  model: ../../escape.h5", ["key 'outputs.model'", "not a file inside outputs.directory"]),
            (out + "  report: \(folder.path("abs.md"))", ["key 'outputs.report'", "not a file inside outputs.directory"]),
        ] {
            let file = try recipe(outputs)
            for extra in [["--dry-run"], []] {
                expectRefused(try runCompress(["run", file, "--cache-dir", cache] + extra), expected)
            }
        }
        #expect(folder.bytes("lenet300.h5") == model)
        #expect(!FileManager.default.fileExists(atPath: cache), "no stage ran")
        #expect(!FileManager.default.fileExists(atPath: folder.url.deletingLastPathComponent().appendingPathComponent("escape.h5").path))
        #expect(!FileManager.default.fileExists(atPath: folder.path("abs.md")))
    }
}
