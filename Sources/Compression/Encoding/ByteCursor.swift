/// A bounds-checked reader over a range of bytes: every read checks what remains first.
///
/// Reads throw ``EncodedDataError`` naming the field when the bytes run out or a value is out of
/// range, so a truncated or hostile input gives an error, never a trap or a huge allocation.
///
/// ```swift
/// var cursor = ByteCursor(bytes)
/// let units = try cursor.readVarint("units", max: 1 << 24)
/// ```
public struct ByteCursor: Sendable {
    /// The whole buffer (shared, not copied).
    public let bytes: [UInt8]
    /// The end of the readable range.
    public let end: Int
    /// The next byte to read.
    public private(set) var position: Int

    /// A cursor over `range` of `bytes` (all of it by default).
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        let range = range ?? 0..<bytes.count
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "ByteCursor: range \(range) outside \(bytes.count) bytes")
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// Bytes left to read.
    public var remaining: Int { end - position }
    /// Whether every byte has been read.
    public var isAtEnd: Bool { position == end }

    public mutating func readByte(_ field: String) throws -> UInt8 {
        guard position < end else { throw EncodedDataError(field: field, "ends early (truncated)") }
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads an unsigned LEB128 varint no larger than `max`.
    public mutating func readVarint(_ field: String, max: Int) throws -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte(field)
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            guard shift <= 56 else { throw EncodedDataError(field: field, "varint is longer than 9 bytes") }
        }
        guard value <= UInt64(max) else { throw EncodedDataError(field: field, "is \(value), more than the limit \(max)") }
        return Int(value)
    }

    /// Reads a zigzag varint whose magnitude is at most `maxMagnitude`.
    public mutating func readSignedVarint(_ field: String, maxMagnitude: Int) throws -> Int {
        let zigzag = try readVarint(field, max: Int.max)
        let value = (zigzag >> 1) ^ -(zigzag & 1)
        guard value.magnitude <= UInt(maxMagnitude) else {
            throw EncodedDataError(field: field, "is \(value), outside ±\(maxMagnitude)")
        }
        return value
    }

    /// Reads a little-endian 32-bit unsigned integer.
    public mutating func readUInt32(_ field: String) throws -> UInt32 {
        guard remaining >= 4 else { throw EncodedDataError(field: field, "ends early (truncated)") }
        defer { position += 4 }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    /// Reads a little-endian IEEE 754 float.
    public mutating func readFloat32(_ field: String) throws -> Float {
        Float(bitPattern: try readUInt32(field))
    }

    /// Reads `count` floats after checking that `4 * count` bytes remain.
    public mutating func readFloat32s(_ field: String, count: Int) throws -> [Float] {
        guard count >= 0, count <= remaining / 4 else {
            throw EncodedDataError(field: field, "needs \(count) floats, only \(remaining) bytes remain")
        }
        var values: [Float] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readFloat32(field)) }
        return values
    }

    /// Skips `count` bytes after checking they exist; returns their range in ``bytes``.
    public mutating func skip(_ field: String, count: Int) throws -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw EncodedDataError(field: field, "needs \(count) bytes, only \(remaining) remain (truncated)")
        }
        defer { position += count }
        return position..<(position + count)
    }

    /// Reads a length-prefixed UTF-8 string of at most `maxBytes` bytes.
    public mutating func readString(_ field: String, maxBytes: Int) throws -> String {
        try readUTF8(field, count: try readVarint(field, max: maxBytes))
    }

    /// Reads `count` bytes of UTF-8 text.
    public mutating func readUTF8(_ field: String, count: Int) throws -> String {
        let range = try skip(field, count: count)
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw EncodedDataError(field: field, "is not valid UTF-8")
        }
        return text
    }
}
