import Compression
import ModelIO
import Testing

/// Layer and model names in a `.dcz` file follow the rules of `LayerName`, checked when the file
/// is read: the error names the file and the layer, before any later step uses the name.
@Suite("Compressed model names")
struct ContainerNameValidationTests {
    /// A file whose architecture is a flatten layer named `layer`, in a model named `model`.
    static func file(model: String = "", layer: String) -> [UInt8] {
        var body = ByteWriter()
        body.appendString(model)
        body.appendVarint(1)          // input rank
        body.appendVarint(4)
        body.appendVarint(1)          // one layer
        body.append(7)                // flatten
        body.appendVarint(2 + layer.utf8.count)
        body.append(contentsOf: Array(layer.utf8))
        return ContainerCorruptionTests.file(architecture: body)
    }

    @Test("layer names with '/', '.' or control characters are refused when read",
          arguments: ["a/b", "a.b", "esc\u{1B}[2J", "bell\u{07}", "line\nbreak", "nul\u{0}"])
    func badLayerNames(name: String) {
        #expect {
            try decodeCompressedModel(Self.file(layer: name), file: "bad.dcz")
        } throws: { error in
            guard let error = error as? ModelFileError else { return false }
            return error.file == "bad.dcz" && error.description.contains("a layer name must not") && !error.description.contains("\n")
        }
    }

    @Test("model names with '/' or control characters are refused when read", arguments: ["a/b", "esc\u{1B}"])
    func badModelNames(name: String) {
        #expect(throws: ModelFileError.self) { try decodeCompressedModelSummary(Self.file(model: name, layer: "flat"), file: "bad.dcz") }
    }

    @Test("a good name reads")
    func goodName() throws {
        #expect(try decodeCompressedModelSummary(Self.file(model: "lenet.v2", layer: "flat|1"), file: "ok.dcz").layerCount == 1)
    }
}
