import Foundation
import Testing

@testable import HDF5

@Suite struct DatasetTests {
    /// Writes `values` as `T`, reopens the file and reads them back as `T`.
    private func roundTrip<T: HDF5Scalar & Equatable>(
        _ values: [T], shape: [Int], expecting stored: HDF5ElementType, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let temporary = TemporaryFile()
        do {
            let file = try HDF5File.create(temporary.path)
            let dataset = try file.root.createDataset("data", values: values, shape: shape)
            #expect(dataset.elementType == stored, sourceLocation: sourceLocation)
        }
        let dataset = try HDF5File.open(temporary.path).root.dataset("data")
        #expect(dataset.shape == shape, sourceLocation: sourceLocation)
        #expect(dataset.elementCount == values.count, sourceLocation: sourceLocation)
        #expect(dataset.elementType == stored, sourceLocation: sourceLocation)
        #expect(dataset.layout == .contiguous, sourceLocation: sourceLocation)
        #expect(dataset.storageBytes == values.count * (stored.byteSize ?? 0), sourceLocation: sourceLocation)
        #expect(try dataset.read(as: T.self) == values, sourceLocation: sourceLocation)
    }

    @Test func roundTripEveryType() throws {
        try roundTrip([Float(1.5), -2.25, .greatestFiniteMagnitude, 0, 3, 4], shape: [2, 3], expecting: .float32)
        try roundTrip([1.0 / 3.0, -1e300, 0.1], shape: [3], expecting: .float64)
        try roundTrip([Float16(0.5), -2, 1024, 0.0999755859375, .infinity, 65504], shape: [3, 2], expecting: .float16)
        try roundTrip([Int8.min, -1, 0, 1, .max], shape: [5], expecting: .int8)
        try roundTrip([UInt8.min, 1, 128, .max], shape: [2, 2], expecting: .uint8)
        try roundTrip([Int16.min, 0, .max], shape: [3], expecting: .int16)
        try roundTrip([UInt16.min, 1, .max], shape: [3], expecting: .uint16)
        try roundTrip([Int32.min, -7, .max], shape: [3], expecting: .int32)
        try roundTrip([UInt32.min, 7, .max], shape: [3], expecting: .uint32)
        try roundTrip([Int64.min, -7, .max], shape: [3, 1], expecting: .int64)
        try roundTrip([UInt64.min, 7, .max], shape: [3], expecting: .uint64)
        try roundTrip([Int.min, 42, .max], shape: [3], expecting: .int64)
    }

    @Test func scalarAndEmptyDatasets() throws {
        try roundTrip([Float(7)], shape: [], expecting: .float32)
        try roundTrip([Float](), shape: [0, 4], expecting: .float32)
    }

    @Test func float16ReadsAsFloat() throws {
        let temporary = TemporaryFile()
        let halves: [Float16] = [0.5, -2, 1024, 0.0999755859375, -0.0, 6.1035156e-05]
        do {
            let file = try HDF5File.create(temporary.path)
            try file.root.createDataset("half", values: halves, shape: [6])
            try file.root.createDataset("stored", values: halves.map(Float.init), shape: [6], storedAs: .float16)
        }
        let root = try HDF5File.open(temporary.path).root
        #expect(try root.dataset("half").read(as: Float.self) == halves.map(Float.init))
        #expect(try root.dataset("half").read(as: Double.self) == halves.map(Double.init))
        let stored = try root.dataset("stored")
        #expect(stored.elementType == .float16)
        #expect(stored.storageBytes == 12)
        #expect(try stored.read(as: Float16.self) == halves)
    }

    @Test func integersReadAsFloatingPoint() throws {
        let temporary = TemporaryFile()
        do {
            let file = try HDF5File.create(temporary.path)
            try file.root.createDataset("int32", values: [Int32(1), -2, 300, 16_777_216], shape: [4])
            try file.root.createDataset("int8", values: [Int8(-128), 0, 127], shape: [3])
            try file.root.createDataset("uint8", values: [UInt8(0), 255], shape: [2])
            try file.root.createDataset("int64", values: [Int64(-5), 1 << 40], shape: [2])
        }
        let root = try HDF5File.open(temporary.path).root
        #expect(try root.dataset("int32").read(as: Float.self) == [1, -2, 300, 16_777_216])
        #expect(try root.dataset("int8").read(as: Double.self) == [-128, 0, 127])
        #expect(try root.dataset("uint8").read(as: Float.self) == [0, 255])
        #expect(try root.dataset("int64").read(as: Double.self) == [-5, 1_099_511_627_776])
        #expect(try root.dataset("int8").read(as: Int32.self) == [-128, 0, 127])
    }

    @Test func floatsStoredAsOtherTypes() throws {
        let temporary = TemporaryFile()
        do {
            let file = try HDF5File.create(temporary.path)
            try file.root.createDataset("q", values: [Float(-3), 0, 5], shape: [3], storedAs: .int8)
            try file.root.createDataset("d", values: [Float(0.25)], shape: [1], storedAs: .float64)
        }
        let root = try HDF5File.open(temporary.path).root
        #expect(try root.dataset("q").elementType == .int8)
        #expect(try root.dataset("q").read(as: Int8.self) == [-3, 0, 5])
        #expect(try root.dataset("d").read(as: Double.self) == [0.25])
    }

    @Test func stringDatasets() throws {
        let temporary = TemporaryFile()
        try HDF5File.create(temporary.path).root.createDataset("names", strings: ["conv2d", "dense", ""])
        let dataset = try HDF5File.open(temporary.path).root.dataset("names")
        #expect(dataset.elementType == .string)
        #expect(dataset.shape == [3])
        #expect(try dataset.readStrings() == ["conv2d", "dense", ""])
        let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Float.self) }
        #expect(error?.kind == .typeMismatch)
        #expect(error?.description == "\(temporary.path): /names: cannot read string dataset as Float")
    }

    @Test func readingNumbersAsStringsFails() throws {
        let temporary = TemporaryFile()
        let dataset = try HDF5File.create(temporary.path).root.createDataset("x", values: [Float(1)], shape: [1])
        let error = #expect(throws: HDF5Error.self) { try dataset.readStrings() }
        #expect(error?.kind == .typeMismatch)
    }

    @Test func shapeMustMatchValues() throws {
        let temporary = TemporaryFile()
        let root = try HDF5File.create(temporary.path).root
        let error = #expect(throws: HDF5Error.self) {
            try root.createDataset("x", values: [Float(1), 2, 3], shape: [2, 2])
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.object == "/x")
        #expect(throws: HDF5Error.self) { try root.createDataset("y", values: [Float(1)], shape: [-1]) }
        #expect(throws: HDF5Error.self) { try root.createDataset("z", values: [Float(1)], shape: [1], storedAs: .string) }
        #expect(!root.contains("y"))
    }

    @Test func overwritingChecksTheCount() throws {
        let temporary = TemporaryFile()
        let dataset = try HDF5File.create(temporary.path).root.createDataset("x", values: [Int32(1), 2], shape: [2])
        try dataset.write([Float(5.0), 6.0])
        #expect(try dataset.read(as: Int32.self) == [5, 6])
        let error = #expect(throws: HDF5Error.self) { try dataset.write([Float(1)]) }
        #expect(error?.kind == .invalidArgument)
    }

    @Test func missingDatasetNamesFileAndPath() throws {
        let temporary = TemporaryFile("model.h5")
        do {
            let file = try HDF5File.create(temporary.path)
            try file.root.createGroup("model_weights").createGroup("dense")
        }
        let root = try HDF5File.open(temporary.path).root
        let error = #expect(throws: HDF5Error.self) { try root.dataset("model_weights/dense/kernel:0") }
        #expect(error?.kind == .notFound)
        #expect(error?.file == temporary.path)
        #expect(error?.object == "/model_weights/dense/kernel:0")
        #expect(error?.description == "\(temporary.path): /model_weights/dense/kernel:0: no such object")
        let deeper = #expect(throws: HDF5Error.self) { try root.group("model_weights").dataset("nope/kernel") }
        #expect(deeper?.description == "\(temporary.path): /model_weights/nope/kernel: no such object")
        let wrongKind = #expect(throws: HDF5Error.self) { try root.dataset("model_weights") }
        #expect(wrongKind?.kind == .typeMismatch)
        #expect(wrongKind?.description == "\(temporary.path): /model_weights: not a dataset")
    }

    @Test func limitRefusesLargeDatasetsBeforeReading() throws {
        let temporary = TemporaryFile()
        try HDF5File.create(temporary.path).root.createDataset(
            "kernel", values: [Float](repeating: 1, count: 1000), shape: [10, 100])
        let limited = HDF5Limits(maxDatasetBytes: 1000)
        let dataset = try HDF5File.open(temporary.path, limits: limited).root.dataset("kernel")
        #expect(dataset.limits == limited)
        let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Float.self) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.description == "\(temporary.path): /kernel: dataset needs 3.9 KiB, more than the limit of 1000 bytes")
        // One byte per element fits.
        #expect(try dataset.read(as: Int8.self).count == 1000)
    }

    /// Rewrites the dimensions stored in a file's dataspace message, as a corrupt or malicious file would.
    private func corruptedFile(claiming factor: UInt64) throws -> TemporaryFile {
        let temporary = TemporaryFile("corrupt.h5")
        do {
            let file = try HDF5File.create(temporary.path)
            try file.root.createGroup("model_weights")
                .createDataset("weights", values: [Float](repeating: 1, count: 4242), shape: [4242])
        }
        var bytes = try temporary.bytes()
        let original = withUnsafeBytes(of: UInt64(4242).littleEndian) { Array($0) }
        let claimed = withUnsafeBytes(of: (4242 * factor).littleEndian) { Array($0) }
        var patched = 0
        for index in 0...(bytes.count - 8) where bytes[index..<(index + 8)].elementsEqual(original) {
            bytes.replaceSubrange(index..<(index + 8), with: claimed)
            patched += 1
        }
        #expect(patched > 0)
        try temporary.write(bytes)
        return temporary
    }

    @Test func datasetClaimingMoreThanTheFileIsRefused() throws {
        let temporary = try corruptedFile(claiming: 1000)
        let file = try HDF5File.open(temporary.path)
        let dataset = try file.root.dataset("model_weights/weights")
        #expect(dataset.shape == [4_242_000])
        let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Float.self) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.file == temporary.path)
        #expect(error?.object == "/model_weights/weights")
        #expect(error?.description.contains("but the file holds only") == true)
    }

    @Test func datasetClaimingPetabytesIsRefused() throws {
        let temporary = try corruptedFile(claiming: 1 << 40)
        let dataset = try HDF5File.open(temporary.path).root.dataset("model_weights/weights")
        let error = #expect(throws: HDF5Error.self) { try dataset.read(as: Double.self) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.object == "/model_weights/weights")
    }
}
