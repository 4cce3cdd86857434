/// A coding key for any string, to list every key of a mapping.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(_ string: String) {
        stringValue = string
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A key that a recipe mapping does not allow; the recipe loader turns it into a ``RecipeError``
/// with its line and a suggestion.
struct UnknownKeyError: Error {
    /// The path of the unknown key (the mapping's path plus the key).
    var codingPath: [CodingKey]
    var key: String
    /// The keys the mapping allows.
    var allowed: [String]
}

extension Decoder {
    /// Throws an ``UnknownKeyError`` for the first key of this mapping that is not in `allowed`.
    func requireKnownKeys(_ allowed: [String]) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        if let unknown = container.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            throw UnknownKeyError(codingPath: codingPath + [unknown], key: unknown.stringValue, allowed: allowed)
        }
    }
}

/// A type decoded from a recipe mapping whose keys are checked against ``keys`` before decoding.
protocol StrictlyDecodable: Codable {
    /// Every key the mapping may have.
    static var keys: [String] { get }
}

/// The closest of `candidates` to `word` by edit distance, when it is close enough to be a typo.
func closestKey(to word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

/// Levenshtein distance between two strings, by characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
