import Foundation
import Testing

/// A write that fails (a full disk, a file-size limit) is one line naming the file and the
/// reason, and leaves no temporary file; a signal removes the temporary files of the write in
/// progress, and a later run removes those of runs that were killed (issue 19, items 6, 11, 15).
@Suite("failed and interrupted writes: one line with the reason, no debris")
struct WriteFailureTests {
    /// `ulimit -f 0` with SIGXFSZ ignored: writing to any file fails with EFBIG, as on a full
    /// disk, with no root-only mount.
    let noFileSize = "trap '' XFSZ; ulimit -f 0"

    /// The names in `folder` that look like our temporary files.
    func temporaryNames(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }
    }

    @Test("a write that fails writing .h5 (libhdf5), .dcz, reports or JUnit exits 1 (check: 2) with the file and the errno reason")
    func failedWrites() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        let encoded = try runCompress(["huffman", folder.path("tiny.h5"), "-o", folder.path("tiny.dcz")])
        #expect(encoded.status == 0, "\(encoded.stderr)")
        for (arguments, output, status) in [
            (["decompress", folder.path("tiny.dcz"), "-o", folder.path("d.h5")], folder.path("d.h5"), Int32(1)),
            (["quantize", folder.path("lenet300.h5"), "-o", folder.path("q.h5"), "--method", "fp16", "--data", folder.path("data")],
             folder.path("q.h5"), 1),
            (["huffman", folder.path("lenet300.h5"), "-o", folder.path("l.dcz")], folder.path("l.dcz"), 1),
            (["check", folder.path("lenet300.h5"), "--max-bytes", "10MB", "--junit", folder.path("j.xml")], folder.path("j.xml"), 2),
            (["report", folder.path("lenet300.h5"), "--plots", folder.path("plots")], folder.path("plots/fc1-weights.svg"), 1),
        ] {
            let (result, _) = try runCompressGuarded(arguments, shellSetup: noFileSize)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr == "compress: \(output): cannot be written: file too large\n", "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output))
        }
        #expect(temporaryNames(in: folder.url.path).isEmpty)
    }

    @Test("the temporary files of a killed run are removed by the next write beside them, live ones kept")
    func staleTemporaryFiles() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier, alive = ProcessInfo.processInfo.processIdentifier
        let stale = ".out.dcz.\(dead).12345.tmp", live = ".out.dcz.\(alive).12345.tmp", other = ".other.dcz.\(dead).1.tmp"
        for name in [stale, live, other] { try folder.write("partial", to: name) }
        let result = try runCompress(["huffman", folder.path("tiny.h5"), "-o", folder.path("out.dcz")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(temporaryNames(in: folder.url.path)) == [live, other])

        let cache = folder.path("cache")
        try FileManager.default.createDirectory(atPath: cache + "/.0123456789abcdef.\(dead).7.tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: cache + "/.0123456789abcdef.\(alive).7.tmp", withIntermediateDirectories: true)
        let recipe = try folder.write("""
            model: \(folder.path("lenet300.h5"))
            data: \(folder.path("data"))
            stages:
              - type: quantize
                method: fp16
            """, to: "recipe.yaml")
        let run = try runCompress(["run", recipe, "--cache-dir", cache])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(temporaryNames(in: cache) == [".0123456789abcdef.\(alive).7.tmp"])
    }

    @Test("SIGINT, SIGTERM or SIGHUP during a recipe stage removes its work folder and ends the process by that signal")
    func signalsRemoveTemporaryFiles() throws {
        let folder = try FileSafetyFolder()
        defer { folder.remove() }
        let recipe = try folder.write("""
            data: \(folder.path("data"))
            stages:
              - type: train
                arch: lenet300
                epochs: 50
            """, to: "recipe.yaml")
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            let cache = folder.path("cache-\(signalNumber)")
            let process = Process()
            process.executableURL = compressExecutable()
            process.arguments = ["run", recipe, "--cache-dir", cache]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while temporaryNames(in: cache).isEmpty && process.isRunning && Date() < deadline { usleep(10_000) }
            #expect(!temporaryNames(in: cache).isEmpty, "the stage's work folder appears")
            kill(process.processIdentifier, signalNumber)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber,
                    "\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus)")
            #expect(temporaryNames(in: cache).isEmpty, "signal \(signalNumber) leaves \(temporaryNames(in: cache))")
        }
    }
}
