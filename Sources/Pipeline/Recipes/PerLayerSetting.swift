import Foundation
import Compression

/// A number for every layer, or per layer by glob, as a recipe writes it:
///
/// ```yaml
/// sparsity: 0.9                                # every chosen layer
/// sparsity: {conv1: 0.34, "fc*": 0.9}          # per layer by glob
/// sparsity: {default: 0.9, fc3: 0.74}          # a default and exceptions
/// sparsity: "conv1=0.34,fc*=0.9"               # the command line's form
/// ```
///
/// When several globs match a layer the last one wins, so exceptions follow a catch-all:
/// `{"*": 0.9, fc3: 0.74}`. `default` applies to layers no glob matches. It encodes as the
/// command line's text (`0.9,fc3=0.74`), which keeps the order.
public struct PerLayerSetting: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The value for layers no pattern matches, if any.
    public var defaultValue: Double?
    /// Globs and their values, in the order written.
    public var entries: [(pattern: String, value: Double)]

    public init(defaultValue: Double?, entries: [(pattern: String, value: Double)] = []) {
        self.defaultValue = defaultValue
        self.entries = entries
    }

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let number = try? single.decode(Double.self) {
            self.init(defaultValue: try Self.finite(number, decoder.codingPath))
            return
        }
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            do {
                let parsed = try PerLayerValue(parsing: text, setting: "value")
                self.init(defaultValue: parsed.entries.last { $0.pattern == nil }?.value,
                          entries: parsed.entries.compactMap { entry in entry.pattern.map { ($0, entry.value) } })
                return
            } catch let error as CompressionError {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
            }
        }
        let mapping: KeyedDecodingContainer<AnyCodingKey>
        do {
            mapping = try decoder.container(keyedBy: AnyCodingKey.self)
        } catch {
            throw DecodingError.typeMismatch(Double.self, .init(
                codingPath: decoder.codingPath,
                debugDescription: "expected a number, or a mapping of layer globs to numbers like {conv1: 0.34, \"fc*\": 0.9}"))
        }
        var defaultValue: Double?
        var entries: [(String, Double)] = []
        for key in mapping.allKeys {
            let value = try Self.finite(mapping.decode(Double.self, forKey: key), mapping.codingPath + [key])
            if key.stringValue == "default" {
                defaultValue = value
            } else {
                entries.append((key.stringValue, value))
            }
        }
        guard defaultValue != nil || !entries.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "the mapping is empty"))
        }
        self.init(defaultValue: defaultValue, entries: entries)
    }

    /// `value`, unless it is infinite or NaN (`1e400`, `.nan`): those are refused where they are written.
    private static func finite(_ value: Double, _ codingPath: [CodingKey]) throws -> Double {
        guard value.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "expected a finite number, got \(value)"))
        }
        return value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The command line's form: the default first, then `glob=value` in order (`0.9,fc3=0.74`).
    public var description: String {
        var items: [String] = []
        if let defaultValue { items.append(numberText(defaultValue)) }
        items += entries.map { "\($0.pattern)=\(numberText($0.value))" }
        return items.joined(separator: ",")
    }

    /// Every value given, for range checks.
    public var allValues: [Double] { (defaultValue.map { [$0] } ?? []) + entries.map(\.value) }

    /// As a ``PerLayerValue`` (last matching entry wins, a bare number applies to all): the same meaning.
    public func perLayerValue(setting: String) throws -> PerLayerValue {
        try PerLayerValue(parsing: description, setting: setting)
    }

    /// As ``BitWidths`` (last matching glob wins, a bare number for the rest): the same meaning.
    /// Throws for a value that is not a whole number of bits.
    public func bitWidths() throws -> BitWidths {
        func whole(_ value: Double) throws -> Int {
            guard let bits = Int(exactly: value) else {
                let range = BitWidths.allowedRange
                throw CompressionError("bits must be whole numbers in \(range.lowerBound)...\(range.upperBound), got \(numberText(value))")
            }
            return bits
        }
        var items: [String] = []
        if let defaultValue { items.append(String(try whole(defaultValue))) }
        items += try entries.map { "\($0.pattern)=\(try whole($0.value))" }
        return try BitWidths(parsing: items.joined(separator: ","))
    }

    public static func == (lhs: PerLayerSetting, rhs: PerLayerSetting) -> Bool {
        lhs.description == rhs.description
    }
}

/// A number as a recipe writes it back: `0.9`, `5`, `0.0001`.
func numberText(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
}

/// A single-precision setting with six significant digits: `0.02`, not `0.020000001`.
func numberText(_ value: Float) -> String {
    String(format: "%g", Double(value))
}
