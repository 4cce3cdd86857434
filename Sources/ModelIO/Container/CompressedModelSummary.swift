import Compression

/// How one parameter is stored in a compressed model file, and what it costs.
public struct CompressedParameterSummary: Codable, Equatable, Sendable {
    /// The parameter's name in its layer (`kernel`, `bias`, ...).
    public var name: String
    public var shape: [Int]
    /// Elements of the parameter.
    public var elements: Int
    /// Elements whose values are stored (the others are zero): the kept weights of a sparse
    /// parameter, every element of a dense one.
    public var stored: Int
    /// `float32`, `float16`, `int8` or `codebook`.
    public var encoding: String
    /// Centroids of a codebook.
    public var centroids: Int?
    /// Whether a codebook's centroids are listed most-used first (the file's choice for an
    /// ascending codebook when it is smaller so); nil for other encodings.
    public var centroidsByUse: Bool?
    /// Whether the positions are a relative index (sparse) rather than every element (dense).
    public var sparse: Bool
    /// Bits per index gap of a sparse parameter.
    public var indexBits: Int?
    /// `row-major` or `transposed` (outputs-major), for a sparse parameter.
    public var order: String?
    /// `pruned` or `surgery` when the parameter has a mask.
    public var mask: String?
    /// The value streams (one per byte plane for floats; one for codes and codebook indices).
    public var valueStreams: [SymbolStreamStatistics]
    /// The index-gap stream of a sparse parameter.
    public var indexStream: SymbolStreamStatistics?
    /// Bytes of centroids, or of int8 scales and zero points.
    public var tableBytes: Int
    /// Bytes of the whole record in the file.
    public var bytes: Int

    /// Bits of stored values (code words or raw fields) per stored value.
    public var valueBitsPerStored: Double
    /// Bits of index gaps (fillers included) per stored value, for a sparse parameter.
    public var indexBitsPerStored: Double?
    /// Bytes that are values, indices, centroids or scales (padding to a byte included).
    public var payloadBytes: Int

    init(name: String, shape: [Int], stored: Int, encoding: String, centroids: Int?, centroidsByUse: Bool?, sparse: Bool, indexBits: Int?,
         order: String?, mask: String?, valueStreams: [SymbolStreamStatistics], indexStream: SymbolStreamStatistics?,
         tableBytes: Int, bytes: Int) {
        self.name = name
        self.shape = shape
        self.elements = shape.reduce(1, *)
        self.stored = stored
        self.encoding = encoding
        self.centroids = centroids
        self.centroidsByUse = centroidsByUse
        self.sparse = sparse
        self.indexBits = indexBits
        self.order = order
        self.mask = mask
        self.valueStreams = valueStreams
        self.indexStream = indexStream
        self.tableBytes = tableBytes
        self.bytes = bytes
        valueBitsPerStored = stored == 0 ? 0 : Double(valueStreams.reduce(0) { $0 + $1.payloadBits }) / Double(stored)
        indexBitsPerStored = indexStream.map { stored == 0 ? 0 : Double($0.payloadBits) / Double(stored) }
        payloadBytes = valueStreams.reduce(0) { $0 + $1.payloadBytes } + (indexStream?.payloadBytes ?? 0) + tableBytes
    }
}

/// One layer with parameters in a compressed model file.
public struct CompressedLayerSummary: Codable, Equatable, Sendable {
    public var name: String
    /// The layer type as the architecture names it (`dense`, `conv2d`, ...).
    public var type: String
    public var parameters: [CompressedParameterSummary]
    /// Bytes of the layer's section: length, parameter records and CRC.
    public var bytes: Int

    /// Bytes of the section beyond its payload: length, CRC, record headers, code-length tables.
    public var overheadBytes: Int

    init(name: String, type: String, parameters: [CompressedParameterSummary], bytes: Int) {
        self.name = name
        self.type = type
        self.parameters = parameters
        self.bytes = bytes
        overheadBytes = bytes - parameters.reduce(0) { $0 + $1.payloadBytes }
    }
}

/// What a compressed model file holds: its layers, their encodings and sizes.
public struct CompressedModelSummary: Codable, Equatable, Sendable {
    /// The model name stored in the file.
    public var name: String
    public var inputShape: [Int]
    /// Layers in the architecture, with or without parameters.
    public var layerCount: Int
    /// The layers with parameters.
    public var layers: [CompressedLayerSummary]
    /// Bytes of magic and version.
    public var headerBytes: Int
    /// Bytes of the architecture section (length, body and CRC).
    public var architectureBytes: Int
    /// The size of the file.
    public var fileBytes: Int

    /// Elements of every parameter.
    public var parameterCount: Int
    /// Bytes that are values, indices, centroids or scales.
    public var payloadBytes: Int
    /// Every other byte: header, architecture, section framing, record headers, code tables.
    public var overheadBytes: Int
    /// The part of the overhead that is Huffman code-length tables.
    public var codeTableBytes: Int

    init(name: String, inputShape: [Int], layerCount: Int, layers: [CompressedLayerSummary], architectureBytes: Int, fileBytes: Int) {
        self.name = name
        self.inputShape = inputShape
        self.layerCount = layerCount
        self.layers = layers
        headerBytes = CompressedModelFormat.headerBytes
        self.architectureBytes = architectureBytes
        self.fileBytes = fileBytes
        parameterCount = layers.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.elements } }
        payloadBytes = layers.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.payloadBytes } }
        overheadBytes = fileBytes - payloadBytes
        codeTableBytes = layers.reduce(0) { $0 + $1.parameters.reduce(0) { total, parameter in
            total + (parameter.valueStreams + (parameter.indexStream.map { [$0] } ?? [])).reduce(0) { $0 + $1.tableBytes }
        } }
    }
}
