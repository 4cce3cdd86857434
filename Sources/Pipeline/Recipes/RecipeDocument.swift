import Foundation
import ModelIO
import Yams

/// A recipe file read and decoded, with the YAML tree kept so that any error can name the line
/// of the key at fault.
///
/// ```swift
/// let document = try RecipeDocument(path: "recipes/lenet300-deep-compression.yaml")
/// print(document.recipe.stages.count)
/// ```
public struct RecipeDocument: @unchecked Sendable {
    /// The recipe file as given.
    public let file: String
    /// The decoded recipe.
    public let recipe: Recipe
    /// The YAML tree, for positions.
    let root: Node

    /// The largest recipe file, in bytes (1 MiB): recipes are a few hundred bytes, and parsing
    /// takes about 70 times the file's size in memory.
    public static let maxFileBytes = 1 << 20

    /// Reads and decodes the recipe at `path`; every problem is a ``RecipeError`` naming the
    /// file, and the line and key where there is one.
    ///
    /// A file larger than ``maxFileBytes`` is refused before it is parsed.
    public init(path: String) throws {
        if let problem = FileStatus(path: path).problemAsInput { throw RecipeError(file: path, line: nil, key: nil, problem) }
        let unreadable = RecipeError(file: path, line: nil, key: nil, FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        guard let handle = FileHandle(forReadingAtPath: path) else { throw unreadable }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: Self.maxFileBytes + 1) ?? Data() else { throw unreadable }
        guard data.count <= Self.maxFileBytes else {
            throw RecipeError(file: path, line: nil, key: nil, "is larger than \(Self.maxFileBytes) bytes, the most a recipe may have")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RecipeError(file: path, line: nil, key: nil, "is not UTF-8 text")
        }
        try self.init(text: text, file: path)
    }

    /// Decodes recipe `text`, naming `file` in errors.
    public init(text: String, file: String) throws {
        self.file = file
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw RecipeDocument.syntaxError(error, file: file)
        }
        guard let node, node.mapping != nil else {
            throw RecipeError(file: file, line: node?.mark?.line, key: nil, "a recipe is a YAML mapping with at least a stages list")
        }
        root = node
        do {
            recipe = try YAMLDecoder().decode(Recipe.self, from: node)
        } catch let error as UnknownKeyError {
            let path = RecipeDocument.path(error.codingPath)
            var message = "unknown key"
            if let suggestion = closestKey(to: error.key, among: error.allowed) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += " (known: \(error.allowed.joined(separator: ", ")))"
            }
            throw RecipeError(file: file, line: RecipeDocument.line(in: node, at: path), key: path.text, message)
        } catch let error as DecodingError {
            throw RecipeDocument.decodingError(error, root: node, file: file)
        }
    }

    /// The line of the key (or list item) at `path`, or of the nearest enclosing one that exists.
    public func line(at path: [RecipePathComponent]) -> Int? {
        RecipeDocument.line(in: root, at: path)
    }

    /// An error about the value at `path`, naming its line and key.
    public func error(at path: [RecipePathComponent], _ message: String) -> RecipeError {
        RecipeError(file: file, line: line(at: path), key: path.text, message)
    }

    // MARK: Positions

    static func line(in root: Node, at path: [RecipePathComponent]) -> Int? {
        var node = root
        var line = root.mark?.line
        for component in path {
            switch (component, node) {
            case let (.key(key), .mapping(mapping)):
                guard let pair = mapping.first(where: { $0.key.string == key }) else { return line }
                line = pair.key.mark?.line ?? line
                node = pair.value
            case let (.index(index), .sequence(sequence)):
                guard index < sequence.count else { return line }
                node = sequence[index]
                line = node.mark?.line ?? line
            default:
                return line
            }
        }
        return line
    }

    static func path(_ codingPath: [CodingKey]) -> [RecipePathComponent] {
        codingPath.map { key in
            if let index = key.intValue { return .index(index) }
            return .key(key.stringValue)
        }
    }

    // MARK: Errors

    private static func decodingError(_ error: DecodingError, root: Node, file: String) -> RecipeError {
        switch error {
        case let .typeMismatch(type, context):
            let path = path(context.codingPath)
            let expected = typeName(type)
            let message = context.debugDescription.hasPrefix("expected ") ? context.debugDescription : "expected \(expected)"
            return RecipeError(file: file, line: line(in: root, at: path), key: path.text, message)
        case let .valueNotFound(type, context):
            let path = path(context.codingPath)
            return RecipeError(file: file, line: line(in: root, at: path), key: path.text, "expected \(typeName(type)), found nothing")
        case let .keyNotFound(key, context):
            let path = path(context.codingPath)
            let message = context.debugDescription.hasPrefix("No value") ? "missing key '\(key.stringValue)'" : context.debugDescription
            return RecipeError(file: file, line: line(in: root, at: path), key: (path + [.key(key.stringValue)]).text, message)
        case let .dataCorrupted(context):
            let path = path(context.codingPath)
            return RecipeError(file: file, line: line(in: root, at: path), key: path.text, context.debugDescription)
        @unknown default:
            return RecipeError(file: file, line: nil, key: nil, String(describing: error))
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        if type is Int.Type || type is UInt64.Type { return "a whole number" }
        if type is Double.Type || type is Float.Type { return "a number" }
        if type is Bool.Type { return "true or false" }
        if type is String.Type { return "a string" }
        let name = "\(type)"
        if name.hasPrefix("Array") || name.hasSuffix("Sequence") { return "a list" }
        if name.hasSuffix("Scalar") { return "a single value" }
        return "a mapping"
    }

    private static func syntaxError(_ error: YamlError, file: String) -> RecipeError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return RecipeError(file: file, line: mark.line, key: nil, "not valid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return RecipeError(file: file, line: context.mark.line, key: duplicates.sorted().joined(separator: ", "),
                               "appears twice in the same mapping")
        default:
            // Yams describes the rest over several lines (the text and a caret under it): the first says it all.
            let summary = String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            return RecipeError(file: file, line: nil, key: nil, "not valid YAML: \(summary)")
        }
    }
}
