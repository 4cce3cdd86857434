/// One value of a layer's configuration: what Keras writes in a layer's `config` object, reduced
/// to the types the engine's layers need.
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case null

    /// The value as an integer (a double with no fraction counts).
    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value): return value.rounded() == value && abs(value) < 9e15 ? Int(value) : nil
        default: return nil
        }
    }

    /// The value as a double (an integer counts).
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The integers of a list, or a lone integer as a one-element list.
    public var intList: [Int]? {
        if case .list(let values) = self {
            let ints = values.compactMap(\.intValue)
            return ints.count == values.count ? ints : nil
        }
        return intValue.map { [$0] }
    }

    /// A `Float` as the double its shortest decimal form reads as (`0.1`, not `0.100000001`),
    /// which converts back to the same `Float`.
    public static func float(_ value: Float) -> ConfigValue { .double(Double("\(value)") ?? Double(value)) }

    public var description: String {
        switch self {
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return value
        case .list(let values): return values.map(\.description).joined(separator: ",")
        case .null: return "null"
        }
    }
}

extension ConfigValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .list(elements) }
}

/// A layer's configuration: named values in Keras's naming (`units`, `kernel_size`, `strides`,
/// `use_bias`, ...), in a fixed order.
///
/// It is the one description of a layer that every format shares: Keras's `config` objects are
/// read into it and written from it, the compressed file stores it, and the text format spells
/// it as `key=value`. Each layer type reads the keys it knows with the typed accessors below,
/// which throw ``LayerConfigError`` naming the key; keys a layer does not read are ignored, as
/// Keras's initialisers and regularisers are.
///
/// ```swift
/// let config: LayerConfig = ["units": 300, "activation": "relu"]
/// try config.positiveInt("units")            // 300
/// try config.bool("use_bias", default: true)  // true
/// ```
public struct LayerConfig: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The values in order.
    public private(set) var entries: [(key: String, value: ConfigValue)]

    public init(_ entries: [(key: String, value: ConfigValue)] = []) {
        self.entries = []
        for (key, value) in entries { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }

    /// The value of a key; setting `nil` removes it, setting an existing key replaces its value in place.
    public subscript(key: String) -> ConfigValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            let index = entries.firstIndex { $0.key == key }
            switch (index, newValue) {
            case let (index?, value?): entries[index].value = value
            case let (index?, nil): entries.remove(at: index)
            case let (nil, value?): entries.append((key, value))
            case (nil, nil): break
            }
        }
    }

    public static func == (lhs: LayerConfig, rhs: LayerConfig) -> Bool {
        lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    // MARK: Typed reading

    /// The value of `key` unless it is missing or `null`.
    public func value(_ key: String) -> ConfigValue? {
        guard let value = self[key], value != .null else { return nil }
        return value
    }

    /// An integer; `default` when missing.
    public func int(_ key: String, default defaultValue: Int? = nil) throws -> Int {
        guard let value = value(key) else {
            if let defaultValue { return defaultValue }
            throw LayerConfigError(field: key, "is missing")
        }
        guard let int = value.intValue else { throw LayerConfigError(field: key, "must be an integer, got \(value)") }
        return int
    }

    /// An integer of at least 1.
    public func positiveInt(_ key: String, default defaultValue: Int? = nil) throws -> Int {
        let value = try int(key, default: defaultValue)
        guard value > 0 else { throw LayerConfigError(field: key, "must be a positive integer, got \(value)") }
        return value
    }

    /// A finite number.
    public func double(_ key: String, default defaultValue: Double? = nil) throws -> Double {
        guard let value = value(key) else {
            if let defaultValue { return defaultValue }
            throw LayerConfigError(field: key, "is missing")
        }
        guard let number = value.doubleValue, number.isFinite else { throw LayerConfigError(field: key, "must be a finite number, got \(value)") }
        return number
    }

    /// A finite number as `Float`.
    public func float(_ key: String, default defaultValue: Float? = nil) throws -> Float {
        Float(try double(key, default: defaultValue.map(Double.init)))
    }

    /// A flag.
    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = value(key) else { return defaultValue }
        guard case .bool(let flag) = value else { throw LayerConfigError(field: key, "must be true or false, got \(value)") }
        return flag
    }

    /// A string.
    public func string(_ key: String, default defaultValue: String? = nil) throws -> String {
        guard let value = value(key) else {
            if let defaultValue { return defaultValue }
            throw LayerConfigError(field: key, "is missing")
        }
        guard case .string(let text) = value else { throw LayerConfigError(field: key, "must be a string, got \(value)") }
        return text
    }

    /// A list of integers (a lone integer is a list of one).
    public func ints(_ key: String, default defaultValue: [Int]? = nil) throws -> [Int] {
        guard let value = value(key) else {
            if let defaultValue { return defaultValue }
            throw LayerConfigError(field: key, "is missing")
        }
        guard let list = value.intList else { throw LayerConfigError(field: key, "must be a list of integers, got \(value)") }
        return list
    }

    /// A height and width, each at least 1: `5` or `[5, 3]`.
    public func size(_ key: String, default defaultValue: Size2D? = nil) throws -> Size2D {
        guard value(key) != nil else {
            if let defaultValue { return defaultValue }
            throw LayerConfigError(field: key, "is missing")
        }
        let list = try ints(key)
        guard (1...2).contains(list.count), list.allSatisfy({ $0 > 0 }) else {
            throw LayerConfigError(field: key, "must be one or two positive integers, got \(list)")
        }
        return list.count == 1 ? Size2D(list[0]) : Size2D(list[0], list[1])
    }

    /// Keras's `padding`: `valid` (the default) or `same`.
    public func padding(_ key: String = "padding") throws -> Padding {
        let name = try string(key, default: Padding.valid.rawValue)
        guard let padding = Padding(rawValue: name.lowercased()) else {
            throw LayerConfigError(field: key, "must be valid or same, got \(name)")
        }
        return padding
    }

    /// An activation by Keras name (`linear` when missing).
    public func activation(_ key: String = "activation") throws -> Activation {
        let name = try string(key, default: Activation.linear.rawValue)
        guard let activation = Activation(kerasName: name) else {
            throw LayerConfigError(field: key, "'\(name)' is not a supported activation")
        }
        return activation
    }

    /// Throws unless `data_format` is missing or `channels_last`.
    public func requireChannelsLast() throws {
        let format = try string("data_format", default: "channels_last")
        guard format == "channels_last" else { throw LayerConfigError(field: "data_format", "only channels_last is supported, got \(format)") }
    }
}

/// A configuration value a layer cannot take: the key and what is wrong with it.
public struct LayerConfigError: Error, CustomStringConvertible, Equatable {
    /// The key at fault (`kernel_size`), or empty when the problem is not one key's.
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field) \(message)" }
}
