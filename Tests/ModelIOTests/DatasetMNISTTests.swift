import Foundation
import Testing
@testable import ModelIO

/// The package's `data/` directory, found from this file's path.
private let dataDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("data")

private func fetched(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent(name).path)
}

/// Checks against the real files when `Scripts/fetch-mnist.sh` has been run; skipped otherwise.
@Suite("Real MNIST files")
struct DatasetMNISTTests {
    @Test(.enabled(if: fetched("mnist"), "data/mnist is not downloaded"))
    func mnistTestSplit() throws {
        let source = try DataSource(argument: "mnist", currentDirectory: dataDirectory.deletingLastPathComponent())
        let test = try source.load(split: .test)
        #expect(test.images.shape == [10000, 28, 28, 1])
        #expect(test.labels.prefix(10) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        let counts = Dictionary(grouping: test.labels, by: { $0 }).mapValues(\.count)
        #expect(counts.count == 10)
        #expect(counts[1] == 1135)
        #expect(test.images.scalars.min() == 0 && test.images.scalars.max() == 1)
    }

    @Test(.enabled(if: fetched("fashion-mnist"), "data/fashion-mnist is not downloaded"))
    func fashionMNISTTestSplit() throws {
        let source = try DataSource(argument: "fashion-mnist", currentDirectory: dataDirectory.deletingLastPathComponent())
        let test = try source.load(split: .test)
        #expect(test.images.shape == [10000, 28, 28, 1])
        #expect(test.labels.prefix(5) == [9, 2, 1, 1, 6])
        #expect(Set(test.labels).count == 10)
    }
}
