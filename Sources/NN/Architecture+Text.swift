extension Architecture {
    /// Parses the text format described on ``Architecture``; the result is validated and in
    /// canonical form, and errors name the line.
    public init(parsing text: String, name: String = "custom") throws {
        var inputShape: [Int]?
        var inputName = "input"
        var layers: [LayerSpec] = []
        var counts: [String: Int] = [:]
        var lineNumbers: [Int] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            func fail(_ message: String) -> ArchitectureError { ArchitectureError(line: lineNumber, message: message) }
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let tokens = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let keyword = tokens.first?.lowercased() else { continue }
            if keyword == "input" {
                guard inputShape == nil else { throw fail("a second input line") }
                guard layers.isEmpty else { throw fail("input must come before the layers") }
                guard (2...3).contains(tokens.count), let shape = Architecture.parseShape(tokens.last!), shape.allSatisfy({ $0 > 0 }) else {
                    throw fail("expected `input HxWxC`, `input N` or `input NAME HxWxC`")
                }
                if tokens.count == 3 { inputName = tokens[1] }
                inputShape = shape
                continue
            }
            guard inputShape != nil else { throw fail("the first statement must be `input SHAPE`") }
            guard let type = LayerTypes.named(keyword: keyword) else { throw fail("unknown layer type \"\(keyword)\"") }
            var rest = Array(tokens.dropFirst())
            var layerName: String
            if let first = rest.first, !first.contains("=") {
                layerName = first
                rest.removeFirst()
            } else {
                let n = counts[keyword, default: 0]
                layerName = n == 0 ? keyword : "\(keyword)_\(n)"
            }
            counts[keyword, default: 0] += 1
            var config = LayerConfig()
            var inputs: [String] = []
            for token in rest {
                let pair = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else { throw fail("expected key=value, got \"\(token)\"") }
                let written = pair[0].lowercased()
                if written == "inputs" {
                    inputs = pair[1].split(separator: ",").map(String.init)
                    continue
                }
                let key = Architecture.shortKeys[written] ?? written
                guard config[key] == nil else { throw fail("option \"\(key)\" given twice") }
                config[key] = Architecture.parseValue(String(pair[1]))
            }
            layers.append(LayerSpec(name: layerName, type: type.kerasClassName, config: config, inputs: inputs))
            lineNumbers.append(lineNumber)
        }
        guard let inputShape else { throw ArchitectureError(line: nil, message: "no `input` line") }
        let parsed = Architecture(name: name, inputShape: inputShape, inputName: inputName, layers: layers)
        do {
            self = try parsed.validated().architecture
        } catch var error as ArchitectureError {
            if let layer = error.layer, let index = layers.lastIndex(where: { $0.name == layer }) {
                error.line = lineNumbers[index]
            }
            throw error
        }
        for (index, (given, canonical)) in zip(layers, self.layers).enumerated() {
            if let unknown = given.config.entries.first(where: { canonical.config[$0.key] == nil }) {
                throw ArchitectureError(line: lineNumbers[index], message: "\(canonical.layerType!.keyword): unknown option \"\(unknown.key)\"")
            }
        }
    }

    /// The architecture in the text format (parses back to an equal architecture).
    public var text: String {
        var lines = ["input " + (inputName == "input" ? "" : inputName + " ") + inputShape.map(String.init).joined(separator: "x")]
        for spec in layers {
            let keyword = spec.layerType?.keyword ?? spec.type.lowercased()
            var words = [keyword, spec.name] + spec.config.entries.map { "\($0.key)=\($0.value)" }
            if !spec.inputs.isEmpty { words.append("inputs=" + spec.inputs.joined(separator: ",")) }
            lines.append(words.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Short keys of the text format and the Keras keys they stand for.
    static let shortKeys: [String: String] = [
        "kernel": "kernel_size", "stride": "strides", "bias": "use_bias", "size": "pool_size",
        "multiplier": "depth_multiplier", "shape": "target_shape", "function": "activation", "pad": "padding",
    ]

    /// A value of the text format: a flag, an integer, a list (`5x3`, `1,2`), a number or a name.
    static func parseValue(_ text: String) -> ConfigValue {
        switch text.lowercased() {
        case "true", "yes": return .bool(true)
        case "false", "no": return .bool(false)
        case "null", "none": return .null
        default: break
        }
        if let int = Int(text) { return .int(int) }
        if text.contains(",") { return .list(text.split(separator: ",", omittingEmptySubsequences: false).map { parseValue(String($0)) }) }
        if let shape = parseShape(text, allowUnknown: true), shape.count > 1 { return .list(shape.map { .int($0) }) }
        if let number = Double(text), number.isFinite { return .double(number) }
        return .string(text)
    }

    static func parseShape(_ text: String, allowUnknown: Bool = false) -> [Int]? {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        var shape: [Int] = []
        for part in parts {
            guard let value = Int(part), value > 0 || (allowUnknown && value == -1) else { return nil }
            shape.append(value)
        }
        return shape.isEmpty ? nil : shape
    }
}
