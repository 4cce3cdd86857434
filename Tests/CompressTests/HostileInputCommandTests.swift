import Foundation
import ModelIO
import NN
import Testing

/// Hostile input through the command line: one line on stderr and status 1, no trap; limits
/// can be raised by their environment variable; names and paths are printed escaped.
@Suite("Hostile input on the command line")
struct HostileInputCommandTests {
    @Test("COMPRESS_MAX_DENSE_BYTES caps the dense size of a model before it is built")
    func denseSizeCap() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("tiny.dcz").path
        let refused = try runCompress(["huffman", "fixtures/tiny-mlp.h5", "-o", output], environment: ["COMPRESS_MAX_DENSE_BYTES": "200"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("204 bytes as float32, more than the limit of 200 (set COMPRESS_MAX_DENSE_BYTES"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
        let badSetting = try runCompress(["huffman", "fixtures/tiny-mlp.h5", "-o", output], environment: ["COMPRESS_MAX_DENSE_BYTES": "lots"])
        #expect(badSetting.status == 1)
        #expect(badSetting.stderr.contains("COMPRESS_MAX_DENSE_BYTES: must be a positive whole number"))
        let allowed = try runCompress(["huffman", "fixtures/tiny-mlp.h5", "-o", output], environment: ["COMPRESS_MAX_DENSE_BYTES": "204"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test("Markdown tables escape pipes in names; paths are printed with control characters escaped")
    func escapedOutput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Architecture(name: "m", inputShape: [4], layers: [LayerSpec("a|b", Dense.self, ["units": 2])]).build(seed: 1)
        let path = directory.appendingPathComponent("bell\u{07}esc\u{1B}[31m.h5").path
        try saveKerasModel(model, name: "m", to: path)
        for format in ["markdown", "text"] {
            let result = try runCompress(["report", path, "--format", format])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.unicodeScalars.contains { $0 == "\u{07}" || $0 == "\u{1B}" })
            #expect(result.stdout.contains("bell\\u{7}esc\\u{1B}[31m.h5"))
            #expect(result.stdout.contains(format == "markdown" ? "| a\\|b | Dense |" : "a|b"))
        }
    }
}
