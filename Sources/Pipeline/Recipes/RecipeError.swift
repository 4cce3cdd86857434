import NN

/// A recipe that cannot be run as written, with where the problem is.
///
/// The description is one line: `recipe.yaml:14: key 'stages[2].sparsty': unknown key; did you mean 'sparsity'?`.
public struct RecipeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The recipe file.
    public var file: String
    /// The 1-based line of the key or value at fault, when known.
    public var line: Int?
    /// The key at fault as a path: `stages[2].sparsity`, `outputs.model`.
    public var key: String?
    /// What is wrong.
    public var message: String

    public init(file: String, line: Int?, key: String?, _ message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// One line: the key and the message, which may quote the recipe, with control characters escaped.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key, !key.isEmpty { text += "key '\(key.escapingControlCharacters)': " }
        return text + message.escapingControlCharacters
    }
}

/// A place in a recipe: a key of a mapping or an index of a list.
public enum RecipePathComponent: Sendable, Equatable, CustomStringConvertible {
    case key(String)
    case index(Int)

    public var description: String {
        switch self {
        case .key(let key): key
        case .index(let index): "[\(index)]"
        }
    }
}

extension Array where Element == RecipePathComponent {
    /// The path as text: `stages[2].sparsity`.
    var text: String {
        var result = ""
        for component in self {
            switch component {
            case .key(let key): result += result.isEmpty ? key : "." + key
            case .index(let index): result += "[\(index)]"
            }
        }
        return result
    }
}
