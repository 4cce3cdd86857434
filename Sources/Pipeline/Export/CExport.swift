import DCZRuntime
import Foundation
import ModelIO

/// What `compress export --c` wrote.
public struct CExportReport: Codable, Equatable, Sendable {
    /// The compressed model file exported.
    public var model: String
    public var directory: String
    /// Bytes of the model (the `.dcz`, as the `model_dcz` array).
    public var modelBytes: Int
    public var inputShape: [Int]
    public var outputShape: [Int]
    /// Arena bytes `dcz_model_init` needs in streaming mode and in decoded mode (the same on 32-
    /// and 64-bit targets).
    public var arenaStreaming: Int
    public var arenaDecoded: Int
    /// The files written, relative to ``directory``.
    public var files: [String]
}

/// Writes `model.h` and `model.c` (the file as a `const uint8_t` array, its shapes and arena
/// sizes), the C runtime (`runtime/`) and an example `main.c` into `directory` (created when
/// missing), each file atomically.
///
/// The model is read with compress's own decoder first, so a bad file is reported as every
/// command reports it; the runtime then checks it again and says how much arena it needs.
///
/// ```swift
/// let report = try exportC(model: "lenet5.dcz", directory: "firmware/model")
/// report.arenaStreaming   // bytes of RAM for DCZ_MODE_STREAMING
/// ```
public func exportC(model path: String, directory: String) throws -> CExportReport {
    let compressed = try loadCompressedModel(path: path)
    guard let data = FileManager.default.contents(atPath: path) else { throw ModelFileError(file: path, "cannot be read") }
    let bytes = [UInt8](data)
    let streaming = try runtimeArenaSize(bytes, mode: DCZ_MODE_STREAMING, file: path)
    let decoded = try runtimeArenaSize(bytes, mode: DCZ_MODE_DECODED, file: path)

    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw ModelFileError(file: directory, "is a file, not a folder")
    }
    let report = CExportReport(model: path, directory: directory, modelBytes: bytes.count,
                               inputShape: compressed.summary.inputShape, outputShape: compressed.model.outputShape,
                               arenaStreaming: streaming, arenaDecoded: decoded, files: [])
    var files: [(path: String, text: String)] = [
        ("model.h", CModelSource.header(report, source: URL(fileURLWithPath: path).lastPathComponent)),
        ("model.c", CModelSource.array(bytes)),
    ]
    files += RuntimeSources.files.map { ($0.path, $0.text + "\n") }
    for file in files {
        let target = URL(fileURLWithPath: directory).appendingPathComponent(file.path)
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw ModelFileError(file: target.deletingLastPathComponent().path, "cannot be created: \(error.localizedDescription)")
        }
        try writeAtomically(to: target.path, protecting: [path]) { try Data(file.text.utf8).write(to: URL(fileURLWithPath: $0)) }
    }
    var written = report
    written.files = files.map(\.path)
    return written
}

/// The arena `dcz_model_init` needs for `bytes`; throws the runtime's reason when it refuses them.
private func runtimeArenaSize(_ bytes: [UInt8], mode: dcz_mode, file: String) throws -> Int {
    let size = dcz_arena_size_needed(bytes, bytes.count, mode)
    if size > 0 { return size }
    var model = dcz_model()
    _ = dcz_model_init(&model, bytes, bytes.count, nil, 0, mode)
    throw ModelFileError(file: file, "the C runtime refuses it: \(String(cString: dcz_model_error(&model)))")
}
