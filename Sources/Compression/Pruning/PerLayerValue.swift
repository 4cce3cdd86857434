/// A number given once for every chosen layer, or per layer by glob: `0.9`, `conv1=0.34,fc*=0.92`.
///
/// Entries are comma-separated; a bare number applies to every layer, `pattern=number` to the
/// layers the glob matches. When several entries match a layer the last one wins, so a default
/// followed by exceptions reads naturally: `0.9,fc3=0.7`.
///
/// ```swift
/// let sparsity = try PerLayerValue(parsing: "conv1=0.34,conv2=0.88,fc*=0.9", setting: "sparsity")
/// try sparsity.values(for: ["conv1", "conv2", "fc1", "fc2"])   // ["conv1": 0.34, ..., "fc2": 0.9]
/// ```
public struct PerLayerValue: Sendable, Equatable {
    /// One comma-separated entry: a glob (nil for a bare number that applies to all) and its value.
    public struct Entry: Sendable, Equatable {
        public var pattern: String?
        public var value: Double

        public init(pattern: String?, value: Double) {
            self.pattern = pattern
            self.value = value
        }
    }

    /// The entries in the order given.
    public var entries: [Entry]
    /// The name of the setting, for messages (`"sparsity"`, `"quality"`, `"c-rate"`).
    public var setting: String

    /// The same value for every layer.
    public init(_ value: Double, setting: String) {
        self.entries = [Entry(pattern: nil, value: value)]
        self.setting = setting
    }

    /// Parses `text`; throws a ``CompressionError`` naming `setting` for an entry that is not a number.
    public init(parsing text: String, setting: String) throws {
        self.setting = setting
        var entries: [Entry] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = piece.trimmingSpaces()
            guard !entry.isEmpty else { throw CompressionError("\(setting) '\(text)': empty entry") }
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            let numberText = parts.count == 2 ? parts[1] : parts[0]
            guard let value = Double(numberText), value.isFinite else {
                throw CompressionError("\(setting) '\(entry)': '\(numberText)' is not a number")
            }
            if parts.count == 2 {
                guard !parts[0].isEmpty else { throw CompressionError("\(setting) '\(entry)': missing layer name before '='") }
                entries.append(Entry(pattern: parts[0], value: value))
            } else {
                entries.append(Entry(pattern: nil, value: value))
            }
        }
        self.entries = entries
    }

    /// Whether one bare number applies to every layer (no per-layer entries).
    public var isSingleValue: Bool { entries.count == 1 && entries[0].pattern == nil }

    /// Whether some entry is a bare number, so every layer gets a value.
    public var hasDefault: Bool { entries.contains { $0.pattern == nil } }

    /// The layers among `layers` that some entry names, in their order.
    public func namedLayers(among layers: [String]) -> [String] {
        layers.filter { value(for: $0) != nil }
    }

    /// The value for `layer`: the last entry whose pattern matches it (or a bare number).
    public func value(for layer: String) -> Double? {
        entries.last { entry in entry.pattern.map { LayerSelection($0).matches(layer) } ?? true }?.value
    }

    /// Throws when an entry's pattern matches none of `layers`.
    public func checkPatterns(against layers: [String]) throws {
        for case let pattern? in entries.map(\.pattern) where !layers.contains(where: { LayerSelection(pattern).matches($0) }) {
            throw CompressionError("\(setting): '\(pattern)' matches none of the layers being pruned (\(layers.joined(separator: ", ")))")
        }
    }

    /// The value of each of `layers`.
    ///
    /// Throws when a pattern matches none of `layers` (a typo never silently does nothing), or
    /// when a layer gets no value.
    public func values(for layers: [String]) throws -> [String: Double] {
        try checkPatterns(against: layers)
        var result: [String: Double] = [:]
        for layer in layers {
            guard let value = value(for: layer) else {
                throw CompressionError("\(setting): no value for layer \(layer); give a default (e.g. '0.9,\(entries[0].pattern ?? "fc1")=...') or leave the layer out of --layers")
            }
            result[layer] = value
        }
        return result
    }
}

private extension Substring {
    /// The text without leading and trailing spaces.
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
