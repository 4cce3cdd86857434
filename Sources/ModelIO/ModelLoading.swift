import Foundation
import HDF5
import NN

/// Loads any model file the tool reads: a legacy Keras `.h5` model, or a compressed model file
/// (`.dcz`, told apart by its magic bytes).
///
/// A missing file, one that is not a regular file (a FIFO would block), a file that is not a model, or a model the engine cannot run is an error
/// naming the file (and the layer and field where one is at fault).
public func loadModel(path: String) throws -> Model {
    try requireModelFile(path)
    if CompressedModelFormat.hasMagic(path: path) {
        return try loadCompressedModel(path: path).model
    }
    return try loadKerasModel(path: path)
}

/// The model an `--arch` argument names: a built-in architecture (`lenet300`, `lenet5`) or an
/// architecture text file, freshly initialised from `seed`; or a Keras `.h5` model, with its weights.
public func modelForArchitectureArgument(_ argument: String, seed: UInt64) throws -> Model {
    if let builtin = Architecture.named(argument) {
        return try builtin.build(seed: seed)
    }
    guard FileManager.default.fileExists(atPath: argument) else {
        let names = Architecture.builtins.keys.sorted().joined(separator: ", ")
        throw ModelFileError(file: argument, "is neither a built-in architecture (\(names)) nor an existing file")
    }
    try requireRegularFile(argument)
    if let file = try? HDF5File.open(argument) {
        return try KerasModelFile(file: file).loadModel()
    }
    let text: String
    do {
        text = try String(contentsOfFile: argument, encoding: .utf8)
    } catch {
        throw ModelFileError(file: argument, "cannot be read as an architecture text file")
    }
    do {
        let name = URL(fileURLWithPath: argument).deletingPathExtension().lastPathComponent
        return try Architecture(parsing: text, name: name).build(seed: seed)
    } catch let error as ArchitectureError {
        throw ModelFileError(file: argument, error.description)
    }
}
