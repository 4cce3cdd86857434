import Foundation
import HDF5
import Testing
@testable import ModelIO

/// Writes an HDF5 file with `body` and returns its URL inside `fixture`.
private func writeHDF5(_ fixture: IDXFixture, _ name: String = "data.h5",
                       _ body: (HDF5Group) throws -> Void) throws -> URL {
    let url = fixture.directory.appendingPathComponent(name)
    let file = try HDF5File.create(url.path)
    try body(file.root)
    file.close()
    return url
}

/// `count` images of `h x w` bytes (pixel value = example index) and labels `index % 10`.
private func pixels(_ count: Int, _ h: Int = 3, _ w: Int = 2) -> [UInt8] {
    (0..<count).flatMap { [UInt8](repeating: UInt8($0), count: h * w) }
}

private func labels(_ count: Int) -> [Int64] { (0..<count).map { Int64($0 % 10) } }

@Suite("HDF5 data sets")
struct DatasetHDF5Tests {
    @Test func groupsPerSplit() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let url = try writeHDF5(fixture) { root in
            for (split, n) in [("train", 6), ("test", 4)] {
                let group = try root.createGroup(split)
                try group.createDataset("x", values: pixels(n), shape: [n, 3, 2])
                try group.createDataset("y", values: labels(n), shape: [n])
            }
        }
        let train = try Dataset(hdf5File: url, split: .train)
        #expect(train.images.shape == [6, 3, 2, 1])
        #expect(train.labels == [0, 1, 2, 3, 4, 5])
        #expect(train.images.scalars == pixels(6).map { Float($0) / 255 })
        let test = try DataSource(argument: url.path).load(split: .test, normalization: .raw)
        #expect(test.count == 4)
        #expect(test.images.scalars == pixels(4).map(Float.init))
    }

    @Test func kerasStyleSuffixedNamesAndCustomNames() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let url = try writeHDF5(fixture) { root in
            try root.createDataset("x_train", values: pixels(5), shape: [5, 3, 2])
            try root.createDataset("y_train", values: labels(5).map(UInt8.init), shape: [5])
            try root.createDataset("images_test", values: pixels(2, 2, 2), shape: [2, 2, 2, 1])
            try root.createDataset("classes_test", values: [Int32(9), 8], shape: [2, 1])
        }
        #expect(try Dataset(hdf5File: url, split: .train).labels == [0, 1, 2, 3, 4])
        let test = try Dataset(hdf5File: url, split: .test, names: HDF5DatasetNames(images: "images", labels: "classes"))
        #expect(test.images.shape == [2, 2, 2, 1])
        #expect(test.labels == [9, 8])
    }

    @Test func singleSplitFileWithFloatPixelsAndVectors() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let values: [Float] = (0..<12).map { Float($0) / 10 }
        let url = try writeHDF5(fixture) { root in
            try root.createDataset("x", values: values, shape: [3, 4])
            try root.createDataset("y", values: [Float(1), 2, 0], shape: [3])
        }
        for split in DataSplit.allCases {
            let dataset = try Dataset(hdf5File: url, split: split, normalization: .mnistStandard)
            #expect(dataset.images.shape == [3, 1, 1, 4])
            #expect(dataset.images.scalars == values)  // floats are used as stored
            #expect(dataset.labels == [1, 2, 0])
        }
    }

    @Test func mismatchedCountsAndBadLabels() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let mismatch = try writeHDF5(fixture, "mismatch.h5") { root in
            try root.createDataset("x", values: pixels(4), shape: [4, 3, 2])
            try root.createDataset("y", values: labels(5), shape: [5])
        }
        let error = dataError { _ = try Dataset(hdf5File: mismatch, split: .train) }
        #expect(error == .countMismatch(imagesFile: "\(mismatch.path): /x", imageCount: 4,
                                        labelsFile: "\(mismatch.path): /y", labelCount: 5))
        let outOfRange = try writeHDF5(fixture, "range.h5") { root in
            try root.createDataset("x", values: pixels(3), shape: [3, 3, 2])
            try root.createDataset("y", values: [Int64(0), -1, 2], shape: [3])
        }
        #expect(dataError { _ = try Dataset(hdf5File: outOfRange, split: .train) }
                == .invalidLabel(file: "\(outOfRange.path): /y", index: 1, value: "-1"))
        let fractional = try writeHDF5(fixture, "fraction.h5") { root in
            try root.createDataset("x", values: pixels(2), shape: [2, 3, 2])
            try root.createDataset("y", values: [Float(1), 2.5], shape: [2])
        }
        #expect(dataError { _ = try Dataset(hdf5File: fractional, split: .train) }
                == .invalidLabel(file: "\(fractional.path): /y", index: 1, value: "2.5"))
    }

    @Test func badShapesAndTypes() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let oneHot = try writeHDF5(fixture, "onehot.h5") { root in
            try root.createDataset("x", values: pixels(2), shape: [2, 3, 2])
            try root.createDataset("y", values: [Float](repeating: 0, count: 20), shape: [2, 10])
        }
        guard case .badShape(_, field: "/y", shape: [2, 10], _) = dataError({ _ = try Dataset(hdf5File: oneHot, split: .train) }) else {
            Issue.record("one-hot labels accepted"); return
        }
        let wide = try writeHDF5(fixture, "int16.h5") { root in
            try root.createDataset("x", values: [Int16](repeating: 3, count: 12), shape: [2, 3, 2])
            try root.createDataset("y", values: labels(2), shape: [2])
        }
        guard case .unsupportedDataType(_, field: "/x", found: "int16", _) = dataError({ _ = try Dataset(hdf5File: wide, split: .train) }) else {
            Issue.record("int16 pixels accepted"); return
        }
        let rank5 = try writeHDF5(fixture, "rank5.h5") { root in
            try root.createDataset("x", values: pixels(2, 1, 1), shape: [2, 1, 1, 1, 1])
            try root.createDataset("y", values: labels(2), shape: [2])
        }
        guard case .badShape(_, field: "/x", _, _) = dataError({ _ = try Dataset(hdf5File: rank5, split: .train) }) else {
            Issue.record("rank-5 images accepted"); return
        }
    }

    @Test func missingDatasetsAndFiles() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let onlyImages = try writeHDF5(fixture) { root in
            let train = try root.createGroup("train")
            try train.createDataset("x", values: pixels(2), shape: [2, 3, 2])
        }
        #expect(dataError { _ = try Dataset(hdf5File: onlyImages, split: .train) }
                == .hdf5(file: onlyImages.path, field: "/train/y", reason: "no such dataset (the images /train/x exist)"))
        let error = dataError { _ = try Dataset(hdf5File: onlyImages, split: .test) }
        guard case .hdf5(file: onlyImages.path, field: "test", let reason) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(reason.contains("x_test and y_test"))
        let missing = fixture.directory.appendingPathComponent("absent.h5")
        guard case .missingFile(file: missing.path, _) = dataError({ _ = try Dataset(hdf5File: missing, split: .train) }) else {
            Issue.record("missing file accepted"); return
        }
        let notHDF5 = try fixture.write("fake.h5", Array("not an hdf5 file at all".utf8))
        let notHDF5Error = dataError { _ = try Dataset(hdf5File: notHDF5, split: .train) }
        guard case .hdf5(file: notHDF5.path, field: "", _) = notHDF5Error else {
            Issue.record("non-HDF5 file accepted"); return
        }
        #expect(notHDF5Error!.description.hasPrefix("\(notHDF5.path): not"))
    }

    @Test func readLimitIsEnforcedBeforeReading() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let url = try writeHDF5(fixture) { root in
            try root.createDataset("x", values: pixels(100, 10, 10), shape: [100, 10, 10])
            try root.createDataset("y", values: labels(100), shape: [100])
        }
        let error = dataError {
            _ = try Dataset(hdf5File: url, split: .train, limits: HDF5Limits(maxDatasetBytes: 1000))
        }
        guard case .hdf5(file: url.path, field: "/x", _) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
    }
}
