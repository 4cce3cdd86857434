import Foundation
import Testing

@testable import HDF5

@Suite struct FileTests {
    @Test func createThenOpenReadOnly() throws {
        let temporary = TemporaryFile()
        do {
            let file = try HDF5File.create(temporary.path)
            try file.root.createGroup("weights")
            #expect(file.isWritable)
            file.close()
        }
        let file = try HDF5File.open(temporary.path)
        #expect(!file.isWritable)
        #expect(file.path == temporary.path)
        #expect(try file.root.childNames() == ["weights"])
        #expect(try file.byteSize() > 0)
        #expect(file.root.path == "/")
        #expect(file.root.name == "/")
    }

    @Test func readOnlyFileRefusesWrites() throws {
        let temporary = TemporaryFile()
        try HDF5File.create(temporary.path).close()
        let file = try HDF5File.open(temporary.path)
        let error = #expect(throws: HDF5Error.self) { try file.root.createGroup("g") }
        #expect(error?.kind == .writeFailed)
        #expect(error?.description.hasPrefix("\(temporary.path): /g: cannot create group") == true)
    }

    @Test func readWriteModeAllowsChanges() throws {
        let temporary = TemporaryFile()
        try HDF5File.create(temporary.path).root.createDataset("x", values: [Float(1), 2, 3], shape: [3])
        do {
            let file = try HDF5File.open(temporary.path, mode: .readWrite)
            try file.root.dataset("x").write([Float(4), 5, 6])
            try file.root.setAttribute("note", string: "edited")
        }
        let file = try HDF5File.open(temporary.path)
        #expect(try file.root.dataset("x").read(as: Float.self) == [4, 5, 6])
        #expect(try file.root.attribute("note").readString() == "edited")
    }

    @Test func missingFile() throws {
        let path = TemporaryFile("missing.h5").path
        let error = #expect(throws: HDF5Error.self) { try HDF5File.open(path) }
        #expect(error?.kind == .fileNotFound)
        #expect(error?.description == "\(path): no such file")
    }

    @Test func directoryIsNotAFile() throws {
        let path = FileManager.default.temporaryDirectory.path
        let error = #expect(throws: HDF5Error.self) { try HDF5File.open(path) }
        #expect(error?.kind == .cannotOpen)
    }

    @Test func textFileIsNotHDF5() throws {
        let temporary = TemporaryFile("model.h5")
        try temporary.write(Array("this is not an HDF5 file\n".utf8))
        let error = #expect(throws: HDF5Error.self) { try HDF5File.open(temporary.path) }
        #expect(error?.kind == .notHDF5)
        #expect(error?.description == "\(temporary.path): not an HDF5 file")
    }

    @Test func emptyFileIsNotHDF5() throws {
        let temporary = TemporaryFile()
        try temporary.write([])
        let error = #expect(throws: HDF5Error.self) { try HDF5File.open(temporary.path) }
        #expect(error?.kind == .notHDF5)
    }

    @Test func truncatedFileThrows() throws {
        let temporary = TemporaryFile("truncated.h5")
        do {
            let file = try HDF5File.create(temporary.path)
            let group = try file.root.createGroup("model_weights")
            let values = (0..<25_000).map { Float($0) }
            try group.createDataset("kernel", values: values, shape: [250, 100])
            try group.setAttribute("layer_names", strings: ["dense"])
        }
        let bytes = try temporary.bytes()
        #expect(bytes.count > 100_000)
        for length in [bytes.count / 2, 2048, 600, 100, 9] {
            try temporary.write(Array(bytes.prefix(length)))
            let error = #expect(throws: HDF5Error.self) {
                let file = try HDF5File.open(temporary.path)
                let group = try file.root.group("model_weights")
                _ = try group.attribute("layer_names").readStrings()
                _ = try group.dataset("kernel").read(as: Float.self)
            }
            #expect(error?.file == temporary.path)
            #expect(error?.description.contains("\n") == false)
        }
    }

    @Test func createInMissingDirectoryThrows() throws {
        let path = FileManager.default.temporaryDirectory.path + "/no-such-dir-\(UUID().uuidString)/x.h5"
        let error = #expect(throws: HDF5Error.self) { try HDF5File.create(path) }
        #expect(error?.kind == .cannotCreate)
        #expect(error?.description.hasPrefix("\(path): cannot create file") == true)
    }

    @Test func closedFileThrows() throws {
        let temporary = TemporaryFile()
        let file = try HDF5File.create(temporary.path)
        file.close()
        file.close()
        let error = #expect(throws: HDF5Error.self) { try file.root.childNames() }
        #expect(error?.kind == .closed)
        #expect(throws: HDF5Error.self) { try file.flush() }
    }

    @Test func largeAttributeFormat() throws {
        let temporary = TemporaryFile()
        let json = String(repeating: "{\"layer\": \"dense\"}, ", count: 10_000)
        let names = Array(repeating: "dense_layer_name", count: 10_000)
        do {
            // A variable-length string keeps only a reference in the header; 160 KB of
            // fixed-length names do not fit into the 64 KiB header of the compatible format.
            let small = try HDF5File.create(temporary.path)
            try small.root.setAttribute("model_config", string: json)
            let error = #expect(throws: HDF5Error.self) { try small.root.setAttribute("layer_names", strings: names) }
            #expect(error?.kind == .writeFailed)
            #expect(error?.description.hasPrefix("\(temporary.path): /: cannot create attribute \"layer_names\"") == true)
        }
        do {
            let large = try HDF5File.create(temporary.path, format: .largeAttributes)
            try large.root.setAttribute("model_config", string: json)
            try large.root.setAttribute("layer_names", strings: names)
        }
        let file = try HDF5File.open(temporary.path)
        #expect(try file.root.attribute("model_config").readString() == json)
        #expect(try file.root.attribute("layer_names").readStrings() == names)
    }

    @Test func errorPrinterIsSilencedOnEveryThread() throws {
        final class Outcome: @unchecked Sendable {
            var silencedBefore = true
            var silencedAfter = false
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let path = TemporaryFile("missing.h5").path
        let thread = Thread {
            outcome.silencedBefore = HDF5Library.isErrorPrinterSilenced()
            _ = try? HDF5File.open(path)
            outcome.silencedAfter = HDF5Library.isErrorPrinterSilenced()
            done.signal()
        }
        thread.start()
        done.wait()
        #expect(!outcome.silencedBefore)
        #expect(outcome.silencedAfter)
    }
}
