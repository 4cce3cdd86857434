import ModelIO

/// Checks the files of this command before any work starts (see ``RunFiles``): the models read,
/// the data set's files, other inputs, and the outputs.
///
/// - Parameters:
///   - models: model files read (`MODEL`, `--baseline` of `report`).
///   - data: the `--data` argument, when the command reads a data set.
///   - inputs: other files read.
///   - outputs: files written.
///   - outputFolders: folders files are written into.
func checkRunFiles(models: [String] = [], data: String? = nil, inputs: [RunFile] = [], outputs: [RunFile] = [],
                   outputFolders: [RunFile] = []) throws {
    // A data argument that does not resolve is reported when the data set is loaded.
    let dataFiles = data.flatMap { try? DataSource(argument: $0) }?.files.map { RunFile("the data set file", $0) } ?? []
    let modelFiles = models.map { RunFile("the input model", $0, isModel: true) }
    try RunFiles(inputs: modelFiles + dataFiles + inputs, outputs: outputs, outputFolders: outputFolders).validate()
}
