import Foundation

/// The result of running the `compress` executable.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The repository's root folder, found from this source file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs the `compress` executable built beside the test bundle with `arguments` in `directory`
/// (the repository's root by default), in this process's environment with `environment` added
/// (a nil value removes a variable).
func runCompress(_ arguments: [String], environment: [String: String?] = [:],
                 in directory: URL = repositoryRoot) throws -> CommandResult {
    let productsDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = productsDirectory.appendingPathComponent("compress")
    if !FileManager.default.isExecutableFile(atPath: executable.path) {
        // `swift test` runs the bundle from the products folder; some runners pass a nested path.
        executable = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("compress")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty {
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
    }
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh temporary folder removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("compress-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
