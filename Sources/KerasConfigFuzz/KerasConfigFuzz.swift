import Foundation
import FuzzSupport
import HDF5
import ModelIO
import NN

/// Fuzz target for the Keras `model_config` reader: JSON text to an architecture
/// (`Scripts/fuzz-keras-config.sh`).
///
/// Each input, as the text of a `model_config` attribute, must give an architecture that passes
/// ``Architecture/validated()`` or fail with a one-line `ModelFileError` or `ArchitectureError`;
/// an architecture that passes with at most ``buildLimit`` parameters must build. Any other
/// error, or a trap, is a crash libFuzzer records. `--write-seeds DIR` writes the configurations
/// of the Keras fixtures in `fixtures/`.
func checkKerasConfig(_ bytes: [UInt8]) {
    do {
        let config = try KerasModelConfig(json: String(decoding: bytes, as: UTF8.self), file: "fuzz.h5")
        let architecture = try Architecture(keras: config, file: "fuzz.h5")
        if try architecture.validated().parameterCount <= buildLimit { _ = try architecture.build(seed: 0) }
    } catch let error as ModelFileError {
        guard !error.description.contains("\n") else { fatalError("a model file error of more than one line: \(error)") }
    } catch is ArchitectureError {
        return
    } catch {
        fatalError("neither a ModelFileError nor an ArchitectureError: \(error)")
    }
}

/// The largest architecture the check builds (validation alone covers larger ones).
let buildLimit = 1_000_000

@main
enum KerasConfigFuzzMain {
    static func main() throws {
        try fuzzMain("KerasConfigFuzz", check: checkKerasConfig) { directory in
            let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fixtures").standardized
            let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".h5") && !$0.hasSuffix(".weights.h5") }
            for name in names {
                let file = try HDF5File.open(fixtures.appendingPathComponent(name).path)
                defer { file.close() }
                let config = try file.root.attribute("model_config").readString()
                try Data(config.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name + ".json"))
            }
            print("wrote \(names.count) seeds to \(directory)")
        }
    }
}
