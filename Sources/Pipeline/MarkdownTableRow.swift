import Foundation
import NN

/// One row of a Markdown table, `| a | b |`, with each cell's control characters escaped and its
/// pipes written `\|`, so a name from a file cannot break the table or reach the terminal raw.
func markdownTableRow(_ cells: [String]) -> String {
    "| " + cells.map { $0.escapingControlCharacters.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
}
