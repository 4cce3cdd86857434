import NN

/// A model file that cannot be read or written as asked, with where the problem is.
///
/// The description is one line for stderr: `file: layer 'fc1': field 'units': must be positive`.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file being read or written.
    public var file: String
    /// The layer concerned, when there is one.
    public var layer: String?
    /// The attribute, dataset or configuration key concerned, when there is one.
    public var field: String?
    /// What is wrong.
    public var message: String

    public init(file: String, layer: String? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.layer = layer
        self.field = field
        self.message = message
    }

    /// One line, with control characters escaped: the layer, the field and the message may quote
    /// the file.
    public var description: String {
        var parts = [file]
        if let layer { parts.append("layer '\(layer)'") }
        if let field { parts.append("field '\(field)'") }
        parts.append(message)
        return parts.joined(separator: ": ").escapingControlCharacters
    }
}
