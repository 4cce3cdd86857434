import Foundation
import FuzzSupport
import Pipeline

/// Fuzz target for the recipe parser and planner (`Scripts/fuzz-recipe.sh`).
///
/// Built with `-sanitize=fuzzer -D FUZZING`, `main` hands over to libFuzzer's driver, which calls
/// the check with each input: the bytes as recipe text must parse and plan, or fail with a
/// `RecipeError` (one line); any other error or a trap is a crash libFuzzer records.
///
/// Built normally, the executable replays files through the same check (`RecipeFuzz FILE...`).
/// Either way, `RecipeFuzz --write-seeds DIR` copies the recipes in `recipes/` as seed corpus.
func checkRecipe(_ bytes: [UInt8]) {
    do {
        _ = try RecipePlan(document: RecipeDocument(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml"))
    } catch let error as RecipeError {
        guard !error.description.contains("\n") else { fatalError("a recipe error of more than one line: \(error)") }
    } catch {
        fatalError("not a RecipeError: \(error)")
    }
}

@main
enum RecipeFuzzMain {
    static func main() throws {
        try fuzzMain("RecipeFuzz", check: checkRecipe) { directory in
            let recipes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../recipes").standardized
            let names = try FileManager.default.contentsOfDirectory(atPath: recipes.path).filter { $0.hasSuffix(".yaml") }
            for name in names {
                try FileManager.default.copyItem(at: recipes.appendingPathComponent(name), to: URL(fileURLWithPath: directory).appendingPathComponent(name))
            }
            print("wrote \(names.count) seeds to \(directory)")
        }
    }
}
