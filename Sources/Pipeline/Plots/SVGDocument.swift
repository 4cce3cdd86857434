import Foundation

/// A small SVG writer: shapes and text appended in order, rendered as a standalone SVG file.
///
/// Numbers are written with at most two decimals and no trailing zeros (`12.5`, not `12.50`),
/// text is XML-escaped, and attributes always come in the same order, so the same drawing
/// gives the same bytes. Every element may carry a `class`, which tests and style sheets use to
/// find bars, marks and lines.
///
/// ```swift
/// var svg = SVGDocument(width: 200, height: 100)
/// svg.rect(x: 10, y: 10, width: 50, height: 80, fill: "#4878d0", class: "bar")
/// svg.text("fc1 <weights>", x: 100, y: 20, anchor: .middle)
/// let file = svg.rendered()
/// ```
public struct SVGDocument: Sendable {
    /// Horizontal alignment of text on its anchor point.
    public enum TextAnchor: String, Sendable {
        case start, middle, end
    }

    public let width: Double
    public let height: Double
    private var elements: [String] = []

    /// An empty drawing of `width` × `height` user units (pixels).
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A filled rectangle.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              opacity: Double? = nil, class className: String? = nil, title: String? = nil) {
        var attributes = [("x", svgNumber(x)), ("y", svgNumber(y)), ("width", svgNumber(max(width, 0))), ("height", svgNumber(max(height, 0))), ("fill", fill)]
        if let opacity { attributes.append(("fill-opacity", svgNumber(opacity))) }
        append("rect", attributes, className: className, title: title)
    }

    /// A straight line.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, strokeWidth: Double = 1,
                              dashed: Bool = false, class className: String? = nil, title: String? = nil) {
        var attributes = [("x1", svgNumber(x1)), ("y1", svgNumber(y1)), ("x2", svgNumber(x2)), ("y2", svgNumber(y2)),
                          ("stroke", stroke), ("stroke-width", svgNumber(strokeWidth))]
        if dashed { attributes.append(("stroke-dasharray", "4 3")) }
        append("line", attributes, className: className, title: title)
    }

    /// A line through `points`, not filled.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, strokeWidth: Double = 2,
                                  class className: String? = nil, title: String? = nil) {
        let list = points.map { "\(svgNumber($0.x)),\(svgNumber($0.y))" }.joined(separator: " ")
        append("polyline", [("points", list), ("fill", "none"), ("stroke", stroke), ("stroke-width", svgNumber(strokeWidth))],
               className: className, title: title)
    }

    /// A filled circle, e.g. a data point.
    public mutating func circle(x: Double, y: Double, radius: Double, fill: String, class className: String? = nil, title: String? = nil) {
        append("circle", [("cx", svgNumber(x)), ("cy", svgNumber(y)), ("r", svgNumber(radius)), ("fill", fill)], className: className, title: title)
    }

    /// Text at (`x`, `y`) (the baseline), optionally rotated about that point by `rotation` degrees.
    public mutating func text(_ string: String, x: Double, y: Double, anchor: TextAnchor = .start, size: Double = 12,
                              bold: Bool = false, rotation: Double? = nil, fill: String = "#222", class className: String? = nil) {
        var attributes = [("x", svgNumber(x)), ("y", svgNumber(y)), ("font-size", svgNumber(size)), ("fill", fill)]
        if anchor != .start { attributes.append(("text-anchor", anchor.rawValue)) }
        if bold { attributes.append(("font-weight", "bold")) }
        if let rotation { attributes.append(("transform", "rotate(\(svgNumber(rotation)) \(svgNumber(x)) \(svgNumber(y)))")) }
        if let className { attributes.append(("class", className)) }
        elements.append("<text\(attributeText(attributes))>\(xmlEscaped(string))</text>")
    }

    /// The whole SVG file: an XML declaration, the `<svg>` element with its elements, a final newline.
    public func rendered() -> String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(svgNumber(width))" height="\#(svgNumber(height))" viewBox="0 0 \#(svgNumber(width)) \#(svgNumber(height))" font-family="Helvetica, Arial, sans-serif">"#,
            ##"<rect x="0" y="0" width="\##(svgNumber(width))" height="\##(svgNumber(height))" fill="#ffffff"/>"##,
        ]
        lines += elements
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    private mutating func append(_ name: String, _ attributes: [(String, String)], className: String?, title: String?) {
        var attributes = attributes
        if let className { attributes.append(("class", className)) }
        if let title {
            elements.append("<\(name)\(attributeText(attributes))><title>\(xmlEscaped(title))</title></\(name)>")
        } else {
            elements.append("<\(name)\(attributeText(attributes))/>")
        }
    }

    private func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { #" \#($0.0)="\#(xmlEscaped($0.1))""# }.joined()
    }
}

/// `value` with at most two decimals and no trailing zeros: `3`, `2.5`, `-0.25`; never `-0`.
///
/// Non-finite values, which no drawing should contain, are written as `0`.
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let hundredths = (value * 100).rounded()
    if hundredths == 0 { return "0" }
    var text = String(format: "%.2f", hundredths / 100)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}
