import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// An element of a parsed XML document: name, attributes, child elements and its own text.
struct ParsedXMLElement {
    var name: String
    var attributes: [String: String]
    var children: [ParsedXMLElement] = []
    var text = ""

    /// Every element below this one (depth first) with the given name.
    func descendants(named name: String) -> [ParsedXMLElement] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(named: name) }
    }
}

/// A well-formedness error, with where the parser stopped.
struct XMLParsingFailure: Error, CustomStringConvertible {
    var description: String
}

/// Parses `text` with Foundation's `XMLParser` into a tree; throws unless it is well-formed XML.
func parseXML(_ text: String) throws -> ParsedXMLElement {
    final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [ParsedXMLElement] = [ParsedXMLElement(name: "#document", attributes: [:])]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            stack.append(ParsedXMLElement(name: name, attributes: attributes))
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let element = stack.removeLast()
            stack[stack.count - 1].children.append(element)
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack[stack.count - 1].text += string
        }
    }
    let parser = XMLParser(data: Data(text.utf8))
    let builder = TreeBuilder()
    parser.delegate = builder
    guard parser.parse(), let root = builder.stack.first?.children.first else {
        throw XMLParsingFailure(description: "not well-formed XML at line \(parser.lineNumber): \(parser.parserError.map { "\($0)" } ?? "no root element")")
    }
    return root
}

@Suite("XML parsing used by the plot and JUnit tests")
struct PlotXMLParsingTests {
    @Test("the parser builds the tree and rejects malformed XML")
    func parses() throws {
        let root = try parseXML(#"<a x="1"><b>hi &amp; bye</b><b/></a>"#)
        #expect(root.name == "a")
        #expect(root.attributes == ["x": "1"])
        #expect(root.descendants(named: "b").count == 2)
        #expect(root.children[0].text == "hi & bye")
        #expect(throws: XMLParsingFailure.self) { try parseXML("<a><b></a>") }
        #expect(throws: XMLParsingFailure.self) { try parseXML("<a>AT&T</a>") }
    }
}
