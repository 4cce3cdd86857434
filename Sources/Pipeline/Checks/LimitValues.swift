import Foundation

/// Parses a fraction given as a percentage (`2%`, `0.5%`) or a plain number (`0.02`).
///
/// `setting` names the option in the message of the error thrown for anything else.
///
/// ```swift
/// try parseFraction("2%", setting: "--max-growth")     // 0.02
/// try parseFraction("0.98", setting: "--min-accuracy") // 0.98
/// ```
public func parseFraction(_ text: String, setting: String) throws -> Double {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let isPercent = trimmed.hasSuffix("%")
    let number = isPercent ? String(trimmed.dropLast()).trimmingCharacters(in: .whitespaces) : trimmed
    guard let value = Double(number), value.isFinite else {
        throw CheckUsageError("\(setting) '\(text)' is not a fraction; write e.g. 2% or 0.02")
    }
    return isPercent ? value / 100 : value
}

/// Parses a byte count: a whole number of bytes with an optional unit, `B`, `kB` (1000),
/// `KiB` (1024), `MB`, `MiB`, `GB`, `GiB` (`1500000`, `1.5MB`, `200 KiB`).
///
/// A fractional result is rounded down to whole bytes.
public func parseByteCount(_ text: String, setting: String) throws -> Int {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let units: [(suffix: String, factor: Double)] = [
        ("KiB", 1024), ("MiB", 1024 * 1024), ("GiB", 1024 * 1024 * 1024),
        ("kB", 1000), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ]
    var number = trimmed
    var factor = 1.0
    if let unit = units.first(where: { trimmed.hasSuffix($0.suffix) }) {
        number = String(trimmed.dropLast(unit.suffix.count)).trimmingCharacters(in: .whitespaces)
        factor = unit.factor
    }
    guard let value = Double(number), value.isFinite, value >= 0, value * factor < Double(Int.max) else {
        throw CheckUsageError("\(setting) '\(text)' is not a byte count; write e.g. 250000, 250kB or 244KiB")
    }
    if factor == 1 && Int(number) == nil {
        throw CheckUsageError("\(setting) '\(text)' is not a whole number of bytes")
    }
    return Int((value * factor).rounded(.down))
}

/// A `compress check` invocation that cannot be carried out as written: a malformed value, an
/// option without the option it needs. The command prints it and exits with status 2.
public struct CheckUsageError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
