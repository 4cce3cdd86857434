import Compression
import NN

/// How the architecture section stores a layer's name, as one varint and what follows:
///
/// ```text
/// 0        the default name (dense, dense_1, ...: see ArchitectureCoding)
/// 1        the name of the previous layer of the same type counted on: its trailing number
///          plus one (conv1 -> conv2, even with pool1 between them)
/// 2 + L    L bytes of UTF-8 (L at most 255)
/// ```
///
/// Names like `conv1, pool1, conv2, pool2, fc1, fc2` then cost one byte each after the first of
/// each type.
enum LayerNameCode: Equatable {
    case defaultName
    case countedOn
    case stored(String)

    /// The shortest code that gives `name` back.
    init(_ name: String, defaultName: String, previous: String?) {
        if name == defaultName {
            self = .defaultName
        } else if let previous, Self.countedOn(previous) == name {
            self = .countedOn
        } else {
            self = .stored(name)
        }
    }

    func write(to writer: inout ByteWriter) {
        switch self {
        case .defaultName: writer.appendVarint(0)
        case .countedOn: writer.appendVarint(1)
        case .stored(let name):
            let utf8 = Array(name.utf8)
            writer.appendVarint(2 + utf8.count)
            writer.append(contentsOf: utf8)
        }
    }

    static func read(from cursor: inout ByteCursor, field: String) throws -> LayerNameCode {
        let code = try cursor.readVarint(field, max: 2 + LayerName.maxBytes)
        switch code {
        case 0: return .defaultName
        case 1: return .countedOn
        default:
            let name = try cursor.readUTF8(field, count: code - 2)
            guard !name.isEmpty else { throw EncodedDataError(field: field, "an empty stored name (the default name has its own code)") }
            return .stored(name)
        }
    }

    /// The name this code stands for, `nil` for the default name (which the caller knows).
    func name(previous: String?, field: String) throws -> String? {
        switch self {
        case .defaultName: return nil
        case .stored(let name): return name
        case .countedOn:
            guard let previous else { throw EncodedDataError(field: field, "counts on from no earlier layer of its type") }
            guard let next = Self.countedOn(previous) else {
                throw EncodedDataError(field: field, "counts on from '\(previous)', which does not end in a number")
            }
            return next
        }
    }

    /// `name` with its trailing decimal number (1 to 9 digits) plus one, as written without
    /// leading zeros: `fc1` -> `fc2`, `conv2d_9` -> `conv2d_10`; `nil` when it has no such number.
    static func countedOn(_ name: String) -> String? {
        let digits = name.utf8.reversed().prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
        guard digits >= 1, digits <= 9, let number = Int(name.suffix(digits)) else { return nil }
        return name.dropLast(digits) + String(number + 1)
    }
}
