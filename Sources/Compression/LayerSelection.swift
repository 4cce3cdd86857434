import NN

/// Chooses layers by name with shell-style globs (`dense*`, `conv?`, `fc[12]`), as every pass does.
///
/// A pattern list like `"conv*,fc1"` selects the union. A pattern that matches no layer is an
/// error, so a typo never silently compresses nothing.
public struct LayerSelection: Sendable, Equatable {
    /// The patterns, in the order given.
    public var patterns: [String]

    /// Selects layers matching any of the comma-separated `patterns`.
    public init(_ patterns: String) {
        self.patterns = patterns.split(separator: ",").map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }.filter { !$0.isEmpty }
    }

    /// Whether `name` matches one of the patterns.
    public func matches(_ name: String) -> Bool {
        patterns.contains { globMatches(pattern: Array($0), name: Array(name)) }
    }

    /// The names among `layerNames` that match, in model order; throws when a pattern matches none.
    public func select(from layerNames: [String]) throws -> [String] {
        for pattern in patterns where !layerNames.contains(where: { globMatches(pattern: Array(pattern), name: Array($0)) }) {
            throw CompressionError("layer pattern '\(pattern)' matches no layer (layers: \(layerNames.joined(separator: ", ")))")
        }
        return layerNames.filter(matches)
    }
}

/// A pass that cannot be applied as asked, with a one-line reason naming the layer or setting.
public struct CompressionError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Shell glob matching of `*` (any run), `?` (one character) and `[abc]` / `[a-z]` classes.
func globMatches(pattern: [Character], name: [Character]) -> Bool {
    var p = 0, n = 0
    var starP = -1, starN = 0
    while n < name.count {
        if p < pattern.count, pattern[p] == "*" {
            starP = p; starN = n; p += 1
        } else if p < pattern.count, let width = matchOne(pattern, at: p, name[n]) {
            p += width; n += 1
        } else if starP >= 0 {
            p = starP + 1; starN += 1; n = starN
        } else {
            return false
        }
    }
    while p < pattern.count, pattern[p] == "*" { p += 1 }
    return p == pattern.count
}

/// Matches one pattern element at `p` against `c`; returns the element's width, or nil.
private func matchOne(_ pattern: [Character], at p: Int, _ c: Character) -> Int? {
    switch pattern[p] {
    case "?": return 1
    case "[":
        guard let close = pattern[(p + 1)...].firstIndex(of: "]"), close > p + 1 else { return pattern[p] == c ? 1 : nil }
        let body = Array(pattern[(p + 1)..<close])
        var i = 0, found = false
        while i < body.count {
            if i + 2 < body.count, body[i + 1] == "-" {
                if body[i] <= c && c <= body[i + 2] { found = true }
                i += 3
            } else {
                if body[i] == c { found = true }
                i += 1
            }
        }
        return found ? close - p + 1 : nil
    default: return pattern[p] == c ? 1 : nil
    }
}
