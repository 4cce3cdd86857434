import Compression
import Foundation
import HDF5
import ModelIO
import NN
import TensorCore
import Testing

/// The compression group of a Keras file is validated in one place, for every command that reads
/// the model: a bad entry is one `ModelFileError` naming the file, the layer and the field.
@Suite("Compression metadata validation")
struct MetadataValidationTests {
    /// Saves a one-layer model (`fc`, kernel 4x3) without metadata, then writes `fill` into a
    /// fresh `compression` group with `@format` and `@version` as given.
    static func model(in directory: URL, version: Int32 = 1, _ fill: (HDF5Group) throws -> Void) throws -> String {
        let path = directory.appendingPathComponent("model.h5").path
        let model = try Architecture(name: "m", inputShape: [4], layers: [LayerSpec("fc", Dense.self, ["units": 3])]).build(seed: 1)
        let kernel = try #require(model.parameter(named: "fc.kernel"))
        kernel.value = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0 % 4) / 4 })
        try saveKerasModel(model, to: path)
        let file = try HDF5File.open(path, mode: .readWrite)
        defer { file.close() }
        let root = try file.root.createGroup("compression")
        try root.setAttribute("format", string: "compress")
        try root.setAttribute("version", values: [version], shape: [])
        try fill(root)
        return path
    }

    /// A codebook of `k` centroids for the kernel, with `@bits` set by `bits`.
    static func codebook(_ k: Int, bits: @escaping (HDF5Group) throws -> Void) -> (HDF5Group) throws -> Void {
        { root in
            let group = try root.createGroup("fc").createGroup("kernel")
            try group.createDataset("centroids", values: (0..<k).map { Float($0) / 4 }, shape: [k])
            try group.createDataset("assignments", values: (0..<12).map { Int32($0 % 4) }, shape: [4, 3])
            try bits(group)
        }
    }

    /// What each case writes, the message fragment expected, and the layer named.
    nonisolated(unsafe) static let cases: [(String, Int32, (HDF5Group) throws -> Void, String, String?)] = [
        ("a float mask holding 0.5", 1, { root in
            try root.createGroup("fc").createGroup("kernel").createDataset("mask", values: [Float](repeating: 0.5, count: 12), shape: [4, 3])
        }, "a mask holds only 0 and 1", "fc"),
        ("bits of 99", 1, codebook(4) { try $0.setAttribute("bits", values: [Int32(99)], shape: []) }, "99 is outside", "fc"),
        ("bits of -1", 1, codebook(4) { try $0.setAttribute("bits", values: [Int32(-1)], shape: []) }, "-1 is outside", "fc"),
        ("bits of \"five\"", 1, codebook(4) { try $0.setAttribute("bits", string: "five") }, "must be one integer", "fc"),
        ("bits of 2.5", 1, codebook(4) { try $0.setAttribute("bits", values: [2.5], shape: []) }, "must be one integer", "fc"),
        ("more centroids than 2^bits", 1, codebook(5) { try $0.setAttribute("bits", values: [Int32(2)], shape: []) }, "do not fit in 2 bits", "fc"),
        ("an unknown version", 9, { _ in }, "version 9 is not supported", nil),
        ("an entry for a layer that does not exist", 1, { root in
            try root.createGroup("ghost").createGroup("kernel").createDataset("mask", values: [UInt8](repeating: 1, count: 12), shape: [4, 3])
        }, "the model has no parameter ghost.kernel", "ghost"),
        ("an entry for a parameter the layer does not have", 1, { root in
            try root.createGroup("fc").createGroup("gamma").createDataset("mask", values: [UInt8](repeating: 1, count: 3), shape: [3])
        }, "the model has no parameter fc.gamma", "fc"),
    ]

    @Test("invalid metadata is refused by every loader", arguments: cases.indices)
    func refused(index: Int) throws {
        let (_, version, fill, fragment, layer) = Self.cases[index]
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.model(in: directory, version: version, fill)
        for load in [{ _ = try loadModel(path: path) }, { _ = try loadModelWithCompressionState(path: path) }] {
            #expect {
                try load()
            } throws: { error in
                guard let error = error as? ModelFileError else { return false }
                return error.file == path && error.layer == layer && error.description.contains(fragment) && !error.description.contains("\n")
            }
        }
    }

    @Test("valid metadata written by the tool still loads, with its state")
    func validMetadataLoads() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.model(in: directory, Self.codebook(4) { try $0.setAttribute("bits", values: [Int32(2)], shape: []) })
        let (model, state) = try loadModelWithCompressionState(path: path)
        #expect(model.parameter(named: "fc.kernel")?.codebook?.centroids.count == 4)
        #expect(state.quantization["fc.kernel"] == .weightSharing(bits: 2))
    }
}
