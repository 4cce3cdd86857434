import Foundation
import Testing

/// Every file the tool reads must be a regular file, symbolic links followed; a FIFO must not
/// make a command hang, and `check` must not pass on what it cannot measure (issue 19, items 5,
/// 9 and 15).
@Suite("inputs are regular files: no hang on a FIFO, no size of a device")
struct InputSafetyTests {
    @Test("a FIFO as model, data set file, baseline or recipe is refused at once by every command that reads it")
    func fifoInputs() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        let fifo = try folder.fifo("model.h5")
        let data = folder.path("data")
        let fifoData = folder.url.appendingPathComponent("fifo-data")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: data), to: fifoData)
        try FileManager.default.removeItem(at: fifoData.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let fifoLabels = try folder.fifo("fifo-data/t10k-labels-idx1-ubyte")
        let baseline = try folder.fifo("sizes.json")
        let recipe = try folder.fifo("recipe.yaml")
        let output = folder.path("out.bin")
        for (arguments, named) in [
            (["inspect", fifo], fifo),
            (["eval", fifo, "--data", data], fifo),
            (["huffman", fifo, "-o", output], fifo),
            (["decompress", fifo, "-o", output], fifo),
            (["prune", fifo, "-o", output, "--sparsity", "0.5"], fifo),
            (["quantize", fifo, "-o", output, "--method", "fp16", "--data", data], fifo),
            (["report", fifo], fifo),
            (["sensitivity", fifo, "--data", data], fifo),
            (["svd", fifo, "-o", output, "--rank", "2"], fifo),
            (["eval", folder.path("tiny.h5"), "--data", fifoData.path], fifoLabels),
            (["check", folder.path("tiny.h5"), "--baseline", baseline], baseline),
            (["run", recipe], recipe),
        ] {
            let (result, timedOut) = try runCompressGuarded(arguments, timeout: 30)
            #expect(!timedOut, "\(arguments) hangs")
            #expect(result.status == (arguments[0] == "check" ? 2 : 1), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("\(named): is a FIFO, not a regular file"), "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("check measures the file a symbolic link points to, and refuses FIFOs, devices and /proc files with exit 2")
    func checkMeasuresRegularFiles() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        let link = try folder.link("link.h5", to: folder.path("tiny.h5"))
        let size = try runCompress(["check", link, "--max-bytes", "100"])
        #expect(size.status == 1)
        #expect(size.stdout.contains("FAIL \(link): size 17,208 bytes > limit 100 bytes"), "\(size.stdout)")
        for (path, kind) in [(try folder.fifo("fifo"), "is a FIFO"), ("/dev/zero", "is a character device"),
                             ("/proc/self/status", "is a /proc or /sys pseudo-file")] {
            let (result, timedOut) = try runCompressGuarded(["check", path, "--max-bytes", "100"], timeout: 30)
            #expect(!timedOut)
            #expect(result.status == 2, "\(path): \(result.stdout)")
            #expect(result.stderr.contains("\(path): \(kind)"), "\(result.stderr)")
        }
    }

    @Test("a link loop, a .keras archive and a name with terminal escapes read as one plain line")
    func inputMessages() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        try folder.link("loop1", to: "loop2")
        try folder.link("loop2", to: "loop1")
        let loop = try runCompress(["inspect", folder.path("loop1")])
        #expect(loop.status == 1)
        #expect(loop.stderr == "compress: \(folder.path("loop1")): is a symbolic link loop\n")

        // A zip file's local header, as Keras 3 writes model.keras.
        try Data([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 60)).write(to: folder.url.appendingPathComponent("m.keras"))
        for command in [["inspect"], ["eval", "--data", folder.path("data")], ["huffman", "-o", folder.path("m.dcz")]] {
            let result = try runCompress([command[0], folder.path("m.keras")] + command.dropFirst())
            #expect(result.status == 1)
            #expect(result.stderr.contains("m.keras: is a Keras 3 .keras archive") && result.stderr.contains("model.save('model.h5')"),
                    "\(command): \(result.stderr)")
        }

        let name = "evil\u{1B}]0;owned\u{07}\u{9B}31m.h5"
        try folder.write("not a model", to: name)
        let escaped = try runCompress(["inspect", folder.path(name)])
        #expect(escaped.status == 1)
        #expect(!escaped.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(escaped.stderr.contains("evil\\u{1B}]0;owned\\u{7}\\u{9B}31m.h5"), "\(escaped.stderr)")
    }
}
