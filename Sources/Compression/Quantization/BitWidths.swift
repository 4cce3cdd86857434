/// How many bits of k-means weight sharing each layer gets: `k = 2^bits` shared values.
///
/// Written as `--bits` takes it: a number for every layer (`"5"`), globs with a number each
/// (`"conv*=8,dense*=5"`, as Deep Compression used for LeNet-5 and AlexNet), or both, the bare
/// number covering the layers no glob matches (`"5,conv*=8"`). When several globs match a layer
/// the last one wins, as everywhere in compress, so exceptions follow a catch-all
/// (`"*=5,conv1=8"`). A layer matched by nothing is left as it is. Bits lie in `1...16`.
///
/// ```swift
/// let widths = try BitWidths(parsing: "conv*=8,fc*=5")
/// try widths.bits(forLayers: ["conv1", "conv2", "fc1", "fc2"])   // ["conv1": 8, ..., "fc2": 5]
/// ```
public struct BitWidths: Equatable, Sendable, CustomStringConvertible {
    /// The bits allowed: one bit (two shared values) to sixteen.
    public static let allowedRange = 1...16

    /// One `glob=bits` item.
    public struct Rule: Equatable, Sendable {
        public var pattern: String
        public var bits: Int
    }

    /// The bits of layers that no rule matches, or nil to leave them alone.
    public var defaultBits: Int?
    /// The `glob=bits` rules, in the order given.
    public var rules: [Rule]

    /// The same bits for every layer.
    ///
    /// - Precondition: `bits` lies in ``allowedRange`` (user input goes through ``init(parsing:)``).
    public init(bits: Int) {
        precondition(Self.allowedRange.contains(bits), "BitWidths: \(bits) is outside \(Self.allowedRange)")
        defaultBits = bits
        rules = []
    }

    /// Parses `"5"`, `"conv*=8,dense*=5"` or `"5,conv*=8"`.
    ///
    /// - Throws: ``CompressionError`` naming the item that is not a number or `glob=number`, bits
    ///   outside ``allowedRange``, or a second bare number.
    public init(parsing text: String) throws {
        var defaultBits: Int?
        var rules: [Rule] = []
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        for item in items {
            guard !item.isEmpty else { throw CompressionError("bits '\(text)': empty item") }
            let parts = item.split(separator: "=", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            switch parts.count {
            case 1:
                guard let bits = Int(parts[0]) else {
                    throw CompressionError("bits '\(item)' must be a number or glob=number, like 5 or conv*=8")
                }
                guard defaultBits == nil else { throw CompressionError("bits '\(text)': more than one bare number") }
                try Self.check(bits, in: item)
                defaultBits = bits
            case 2:
                guard !parts[0].isEmpty, let bits = Int(parts[1]) else {
                    throw CompressionError("bits '\(item)' must be glob=number, like conv*=8")
                }
                try Self.check(bits, in: item)
                rules.append(Rule(pattern: parts[0], bits: bits))
            default:
                throw CompressionError("bits '\(item)' must be glob=number, like conv*=8")
            }
        }
        self.defaultBits = defaultBits
        self.rules = rules
    }

    /// The bits of each of `layerNames` that gets any, by name.
    ///
    /// - Throws: ``CompressionError`` when a glob matches none of `layerNames`.
    public func bits(forLayers layerNames: [String]) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for rule in rules {
            for name in try LayerSelection(rule.pattern).select(from: layerNames) {
                result[name] = rule.bits
            }
        }
        if let defaultBits {
            for name in layerNames where result[name] == nil { result[name] = defaultBits }
        }
        return result
    }

    /// The text form, as parsed.
    public var description: String {
        ((defaultBits.map { [String($0)] } ?? []) + rules.map { "\($0.pattern)=\($0.bits)" }).joined(separator: ",")
    }

    private static func check(_ bits: Int, in item: String) throws {
        guard allowedRange.contains(bits) else {
            throw CompressionError("bits '\(item)': \(bits) is outside \(allowedRange.lowerBound)...\(allowedRange.upperBound)")
        }
    }
}

private extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
