extension String {
    /// The string with every control character written as an escape, for printing a name that
    /// came from a file: `\n`, `\r`, `\t`, and `\u{1B}` style for the others (ESC, BEL, NUL,
    /// DEL, the C1 controls, and line or paragraph separators), so nothing a file holds can move
    /// the cursor, ring the bell or start a line on a terminal. A backslash stays as it is.
    ///
    /// ```swift
    /// "fc\u{1B}[31m1\n".escapingControlCharacters   // "fc\\u{1B}[31m1\\n"
    /// ```
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isControlForDisplay) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.isControlForDisplay:
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension Unicode.Scalar {
    /// C0 and C1 controls, DEL, and the line and paragraph separators.
    var isControlForDisplay: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
    }
}
