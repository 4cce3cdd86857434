import Foundation

/// A unique path in the temporary directory, removed when the value is released.
final class TemporaryFile {
    let path: String

    init(_ name: String = "test.h5") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hdf5-tests-\(UUID().uuidString)-\(name)").path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func bytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func write(_ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
