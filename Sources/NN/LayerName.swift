/// The rules every layer and model name read from a file must follow, checked once when the
/// file is read: names become HDF5 group names, dotted parameter keys, report cells and lines
/// on a terminal.
public enum LayerName {
    /// The longest name, in UTF-8 bytes.
    public static let maxBytes = 255

    /// Why `name` cannot be a layer name, or nil when it can: it must be non-empty, at most
    /// ``maxBytes`` bytes of UTF-8, and hold no `/` (an HDF5 path separator), no `.` (the
    /// separator of parameter keys) and no control character (NUL, ESC, BEL, newlines, ...).
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "a layer name must not be empty" }
        if name.contains(".") { return "a layer name must not contain '.'" }
        return problem(with: name, kind: "layer name")
    }

    /// Why `name` cannot be a model name, or nil when it can: as a layer name, except that it may
    /// be empty (no name) and hold dots.
    public static func problem(withModelName name: String) -> String? {
        name.isEmpty ? nil : problem(with: name, kind: "model name")
    }

    private static func problem(with name: String, kind: String) -> String? {
        if name.utf8.count > maxBytes { return "a \(kind) must be at most \(maxBytes) bytes, this one has \(name.utf8.count)" }
        if name.contains("/") { return "a \(kind) must not contain '/'" }
        if name.unicodeScalars.contains(where: \.isControlForDisplay) { return "a \(kind) must not contain control characters" }
        return nil
    }
}
