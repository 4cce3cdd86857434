/// A command-line mistake, reported with the usage text.
struct UsageError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The `--name value` options given to one benchmark.
struct Options {
    private let values: [String: String]

    /// Parses `--name value` pairs, rejecting names outside `allowed` and names given twice.
    init(_ arguments: [String], allowed: Set<String>) throws(UsageError) {
        var values: [String: String] = [:]
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard flag.hasPrefix("--"), allowed.contains(String(flag.dropFirst(2))) else {
                throw UsageError("unexpected argument '\(flag)'")
            }
            let name = String(flag.dropFirst(2))
            guard let value = remaining.popFirst() else { throw UsageError("\(flag) needs a value") }
            guard values.updateValue(value, forKey: name) == nil else { throw UsageError("\(flag) given twice") }
        }
        self.values = values
    }

    /// A text option, or nil when not given.
    func string(_ name: String) -> String? {
        values[name]
    }

    /// A positive integer option.
    func positiveInteger(_ name: String, default defaultValue: Int) throws(UsageError) -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int(text), value > 0 else {
            throw UsageError("--\(name) needs a positive integer, got '\(text)'")
        }
        return value
    }

    /// A comma-separated list of positive integers.
    func positiveIntegers(_ name: String, default defaultValue: [Int]) throws(UsageError) -> [Int] {
        guard let text = values[name] else { return defaultValue }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0) }.filter { $0 > 0 }
        guard !parts.isEmpty, numbers.count == parts.count else {
            throw UsageError("--\(name) needs comma-separated positive integers, got '\(text)'")
        }
        return numbers
    }
}
