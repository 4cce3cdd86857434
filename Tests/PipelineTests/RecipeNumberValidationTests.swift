import Foundation
import Pipeline
import Testing

/// Recipe numbers a planner cannot use are refused with one line naming the stage and key,
/// `--dry-run` included; every recipe error is one line; a recipe file is refused before parsing
/// when it is too large.
@Suite("Recipe number validation")
final class RecipeNumberValidationTests {
    let data: URL

    init() throws {
        data = try makeSampleDataFolder()
    }

    deinit {
        try? FileManager.default.removeItem(at: data)
    }

    func recipe(bits: String) -> String {
        """
        name: r
        data: \(data.path)
        stages:
          - type: train
            arch: lenet300
            epochs: 1
          - type: quantize
            method: kmeans
            bits: \(bits)
        """
    }

    @Test("bits out of range are a RecipeError naming stages[1].bits", arguments: ["1e400", "-1e400", "123456789012345678901234567890", "{fc1: 1e400}", "{fc1: 1e30}", ".nan"])
    func bitsOutOfRange(bits: String) {
        #expect {
            try RecipePlan(document: RecipeDocument(text: recipe(bits: bits), file: "r.yaml"))
        } throws: { error in
            let text = String(describing: error)
            return error is RecipeError && text.contains("stages[1].bits") && !text.contains("\n")
        }
    }

    @Test("YAML errors and keys with control characters give one line (found by RecipeFuzz)",
          arguments: ["name: r\nstages:\n  - type: train\n    c\u{0}\u{0}arch: x\n", "\"a\\nb\": 1\nstages: []\n"])
    func oneLineErrors(text: String) {
        #expect {
            try RecipePlan(document: RecipeDocument(text: text, file: "r.yaml"))
        } throws: { error in
            error is RecipeError && !String(describing: error).contains("\n")
        }
    }

    @Test("a recipe file over 1 MiB is refused before it is parsed")
    func fileSizeLimit() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-recipe-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data((recipe(bits: "6") + "\n" + String(repeating: "# padding\n", count: RecipeDocument.maxFileBytes / 10)).utf8).write(to: url)
        #expect {
            try RecipeDocument(path: url.path)
        } throws: { error in
            String(describing: error).contains("larger than \(RecipeDocument.maxFileBytes) bytes")
        }
    }
}
