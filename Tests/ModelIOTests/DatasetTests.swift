import Foundation
import Testing
import TensorCore
@testable import ModelIO

/// Writes a train and a test split with canonical names; `gzip` compresses the training files.
func writeSplits(_ fixture: IDXFixture, train: Int = 12, test: Int = 5, height: Int = 4, width: Int = 3,
                 gzipTrain: Bool = true) throws {
    let trainImages = IDXFixture.images(count: train, height: height, width: width).encoded()
    let trainLabels = IDXFixture.labels(count: train).encoded()
    if gzipTrain {
        try fixture.write("train-images-idx3-ubyte.gz", gzip(trainImages))
        try fixture.write("train-labels-idx1-ubyte.gz", gzip(trainLabels))
    } else {
        try fixture.write("train-images-idx3-ubyte", trainImages)
        try fixture.write("train-labels-idx1-ubyte", trainLabels)
    }
    try fixture.write("t10k-images-idx3-ubyte", IDXFixture.images(count: test, height: height, width: width).encoded())
    try fixture.write("t10k-labels-idx1-ubyte", IDXFixture.labels(count: test).encoded())
}

@Suite("Datasets")
struct DatasetTests {
    @Test func loadsBothSplitsAsNHWC() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try writeSplits(fixture)
        let train = try Dataset(idxDirectory: fixture.directory, split: .train)
        #expect(train.images.shape == [12, 4, 3, 1])
        #expect(train.imageShape == [4, 3, 1])
        #expect(train.count == 12)
        #expect(train.classCount == 10)
        #expect(train.labels == (0..<12).map { Int32($0 % 10) })
        let bytes = IDXFixture.images(count: 12, height: 4, width: 3).bytes
        #expect(train.images.scalars == bytes.map { Float($0) / 255 })
        let test = try Dataset(idxDirectory: fixture.directory, split: .test)
        #expect(test.images.shape == [5, 4, 3, 1])
        #expect(test.labels == [0, 1, 2, 3, 4])
    }

    @Test func normalizations() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write("t10k-images-idx3-ubyte", IDXFile(dimensions: [1, 1, 4], bytes: [0, 51, 255, 128]).encoded())
        try fixture.write("t10k-labels-idx1-ubyte", IDXFixture.labels(count: 1).encoded())
        func load(_ n: PixelNormalization) throws -> [Float] {
            try Dataset(idxDirectory: fixture.directory, split: .test, normalization: n).images.scalars
        }
        #expect(try load(.unit) == [0, 0.2, 1, Float(128) / 255])
        #expect(try load(.raw) == [0, 51, 255, 128])
        #expect(try load(.centered) == [-1, Float(51) / 127.5 - 1, 1, Float(128) / 127.5 - 1])
        let standard = try load(.mnistStandard)
        #expect(abs(standard[0] - (-0.4242129)) < 1e-5)
        #expect(abs(standard[2] - 2.8214867) < 1e-5)
        #expect(PixelNormalization(rawValue: "mnist-standard") == .mnistStandard)
    }

    @Test func countsThatDisagreeNameBothFiles() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let images = try fixture.write("t10k-images-idx3-ubyte", IDXFixture.images(count: 5, height: 2, width: 2).encoded())
        let labels = try fixture.write("t10k-labels-idx1-ubyte", IDXFixture.labels(count: 6).encoded())
        let error = dataError { _ = try Dataset(idxDirectory: fixture.directory, split: .test) }
        #expect(error == .countMismatch(imagesFile: images.path, imageCount: 5, labelsFile: labels.path, labelCount: 6))
        #expect(error?.description == "\(images.path) holds 5 images but \(labels.path) holds 6 labels")
    }

    @Test func labelsOfAnyCountLoadAndTheModelsWidthNamesFileAndIndex() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write("t10k-images-idx3-ubyte", IDXFixture.images(count: 4, height: 2, width: 2).encoded())
        let labels = try fixture.write("t10k-labels-idx1-ubyte", IDXFile(dimensions: [4], bytes: [3, 9, 200, 1]).encoded())
        let test = try Dataset(idxDirectory: fixture.directory, split: .test)
        #expect(test.labels == [3, 9, 200, 1] && test.classCount == 201 && test.labelsFile == labels.path)
        #expect(throws: Never.self) { try test.checkLabels(below: 201) }
        let error = dataError { try test.checkLabels(below: 10) }
        #expect(error == .labelOutOfRange(file: labels.path, index: 2, label: 200, classCount: 10))
        #expect(error?.description == "\(labels.path): label 200 at index 2 is not below the model's 10 outputs (classes 0..<10)")
        #expect(test.prefix(3).labelsFile == labels.path)
    }

    @Test func thirtyTwoBitLabelsCarryMoreThan256Classes() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write("t10k-images-idx3-ubyte", IDXFixture.images(count: 3, height: 2, width: 2).encoded())
        let wide = IDXFile(dimensions: [3], int32Values: [999, 0, 70_000])
        #expect(wide.magic == IDXFile.wideLabelMagic)
        let labels = try fixture.write("t10k-labels-idx1-ubyte", wide.encoded())
        #expect(try Dataset(idxDirectory: fixture.directory, split: .test).labels == [999, 0, 70_000])
        try fixture.write("t10k-labels-idx1-ubyte", IDXFile(dimensions: [3], int32Values: [1, -2, 3]).encoded())
        #expect(dataError { _ = try Dataset(idxDirectory: fixture.directory, split: .test) }
                == .invalidLabel(file: labels.path, index: 1, value: "-2"))
    }

    @Test func swappedFilesAreWrongMagic() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let images = IDXFixture.images(count: 3, height: 2, width: 2).encoded()
        let labels = IDXFixture.labels(count: 3).encoded()
        try fixture.write("t10k-images-idx3-ubyte", labels)
        let labelsURL = try fixture.write("t10k-labels-idx1-ubyte", images)
        let error = dataError { _ = try Dataset(idxDirectory: fixture.directory, split: .test) }
        #expect(error == .wrongMagic(file: labelsURL.path, found: 0x803, expected: "0x00000801 (unsigned-byte labels, rank 1) or 0x00000c01 (32-bit labels, rank 1)"))
        #expect(error?.description.hasSuffix("wrong magic number 0x00000803, expected 0x00000801 (unsigned-byte labels, rank 1) or 0x00000c01 (32-bit labels, rank 1)") == true)
    }

    @Test func emptyAndDegenerateImageFiles() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let images = try fixture.write("t10k-images-idx3-ubyte", IDXFixture.header(magic: 0x803, dimensions: [0, 28, 28]))
        try fixture.write("t10k-labels-idx1-ubyte", IDXFixture.header(magic: 0x801, dimensions: [0]))
        #expect(dataError { _ = try Dataset(idxDirectory: fixture.directory, split: .test) } == .empty(file: images.path))
        try fixture.write("t10k-images-idx3-ubyte", IDXFixture.header(magic: 0x803, dimensions: [2, 0, 28]))
        guard case .badShape(file: images.path, field: "images", shape: [2, 0, 28, 1], _) =
            dataError({ _ = try Dataset(idxDirectory: fixture.directory, split: .test) }) else {
            Issue.record("zero-height images accepted"); return
        }
    }

    @Test func missingFileListsTheExpectedNames() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write("t10k-labels-idx1-ubyte", IDXFixture.labels(count: 3).encoded())
        let error = dataError { _ = try Dataset(idxDirectory: fixture.directory, split: .test) }
        let expected = fixture.directory.appendingPathComponent("t10k-images-idx3-ubyte").path
        guard case .missingFile(file: expected, let hint) = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(hint.contains("t10k-images-idx3-ubyte.gz"))
    }

    @Test func dottedMirrorNamesAreFound() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write("t10k-images.idx3-ubyte", IDXFixture.images(count: 2, height: 2, width: 2).encoded())
        try fixture.write("t10k-labels.idx1-ubyte.gz", gzip(IDXFixture.labels(count: 2).encoded()))
        #expect(try Dataset(idxDirectory: fixture.directory, split: .test).count == 2)
    }

    @Test func prefixKeepsTheFirstExamples() {
        let images = Tensor(shape: [3, 1, 2, 1], scalars: [1, 2, 3, 4, 5, 6])
        let dataset = Dataset(images: images, labels: [7, 8, 9])
        let first = dataset.prefix(2)
        #expect(first.images.shape == [2, 1, 2, 1])
        #expect(first.images.scalars == [1, 2, 3, 4])
        #expect(first.labels == [7, 8])
        #expect(dataset.prefix(10).count == 3)
    }
}

@Suite("Data sources")
struct DatasetSourceTests {
    @Test func namedDataSetsResolveUnderData() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let mnist = fixture.directory.appendingPathComponent("data/mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        try writeSplits(IDXFixture(existing: mnist))
        let source = try DataSource(argument: "mnist", currentDirectory: fixture.directory)
        guard case .idxDirectory = source else { Issue.record("got \(source)"); return }
        #expect(source.url.path == mnist.path)
        #expect(try source.load(split: .test).count == 5)
    }

    @Test func missingNamedDataSetSaysWhereToGetIt() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let error = dataError { _ = try DataSource(argument: "fashion-mnist", currentDirectory: fixture.directory) }
        guard case .missingFile(let file, let hint) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file.hasSuffix("data/fashion-mnist/train-images-idx3-ubyte"))
        #expect(hint.contains("Scripts/fetch-fashion-mnist.sh"))
        // Words that work outside the repository too: the files, where to get them, where to put them.
        #expect(hint.contains("t10k-labels-idx1-ubyte.gz") && hint.contains("https://") && hint.contains("--data"))
        #expect(error!.description.contains("Scripts/fetch-fashion-mnist.sh"))
    }

    @Test func directoriesAndHDF5Files() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try writeSplits(fixture)
        let directory = try DataSource(argument: fixture.directory.path)
        guard case .idxDirectory = directory else { Issue.record("got \(directory)"); return }
        #expect(directory.url.path == fixture.directory.path)
        let h5 = try fixture.write("set.H5", [0])
        let relative = try DataSource(argument: "set.H5", currentDirectory: fixture.directory)
        guard case .hdf5File = relative else { Issue.record("got \(relative)"); return }
        #expect(relative.url.path == h5.path)
        let hdf5 = try fixture.write("set.hdf5", [0])
        #expect(try DataSource(argument: hdf5.path) == .hdf5File(hdf5))
    }

    @Test func badArguments() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        guard case .missingFile = dataError({ _ = try DataSource(argument: "nope.h5", currentDirectory: fixture.directory) }) else {
            Issue.record("missing HDF5 file accepted"); return
        }
        guard case .unknownSource(argument: "nowhere", _) = dataError({ _ = try DataSource(argument: "nowhere", currentDirectory: fixture.directory) }) else {
            Issue.record("unknown argument accepted"); return
        }
        try fixture.write("train-images-idx3-ubyte", [0])
        let error = dataError { _ = try DataSource(argument: "train-images-idx3-ubyte", currentDirectory: fixture.directory) }
        guard case .unknownSource = error else { Issue.record("single IDX file accepted"); return }
        #expect(error!.description.hasPrefix("--data train-images-idx3-ubyte: "))
    }
}

extension IDXFixture {
    /// A fixture over an existing directory (not removed separately).
    init(existing directory: URL) { self.directory = directory }
}
