import Foundation

/// Runs the `compress` executable with `arguments` through `/bin/sh`, after `shellSetup` (such as
/// `ulimit -f 2`), and kills it when it runs longer than `timeout` seconds: a command that
/// blocks on a FIFO must fail its test, not hang the suite.
func runCompressGuarded(_ arguments: [String], shellSetup: String = "", in directory: URL = repositoryRoot,
                        timeout: TimeInterval = 60) throws -> (result: CommandResult, timedOut: Bool) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    let quoted = ([compressExecutable().path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    process.arguments = ["-c", shellSetup + (shellSetup.isEmpty ? "" : "; ") + "exec " + quoted.joined(separator: " ")]
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    let timedOut = process.isRunning
    if timedOut { kill(process.processIdentifier, SIGKILL) }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self)), timedOut)
}

/// The `compress` executable built beside the test bundle.
func compressExecutable() -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("compress")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("compress")
}

/// A folder of temporary test files: the tiny Keras model, its `.dcz`, an IDX data folder
/// (the 1000-image MNIST sample as both splits), and helpers to make FIFOs and symbolic links.
struct FileSafetyFolder {
    let url: URL

    init() throws {
        url = try temporaryDirectory()
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/tiny-mlp.h5"), to: url.appendingPathComponent("tiny.h5"))
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/lenet300.h5"), to: url.appendingPathComponent("lenet300.h5"))
        _ = try HuffmanCommandTests().dataFolder(in: url)
    }

    /// The path of `name` in the folder.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Makes a FIFO named `name`; returns its path.
    @discardableResult
    func fifo(_ name: String) throws -> String {
        guard mkfifo(path(name), 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return path(name)
    }

    /// Makes a symbolic link `name` pointing to `destination`; returns its path.
    @discardableResult
    func link(_ name: String, to destination: String) throws -> String {
        try FileManager.default.createSymbolicLink(atPath: path(name), withDestinationPath: destination)
        return path(name)
    }

    /// The bytes of `name`, nil when it is missing.
    func bytes(_ name: String) -> Data? { FileManager.default.contents(atPath: path(name)) }

    /// Writes `text` to `name`; returns its path.
    @discardableResult
    func write(_ text: String, to name: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
        return path(name)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
