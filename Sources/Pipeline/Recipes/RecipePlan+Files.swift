import Foundation
import ModelIO
import NN

extension RecipePlan {
    /// The files a run of the plan reads and writes, for ``RunFiles/validate(requireInputs:)``:
    /// the recipe, the starting model or architecture file, the data set's files; the outputs,
    /// the size chart in the plots folder, and the output folders.
    public var runFiles: RunFiles {
        var inputs = [RunFile("the recipe", document.file)]
        if let model { inputs.append(RunFile("the model (model:)", model, isModel: true)) }
        if case .train(let arch?, _) = stages.first?.resolved, Architecture.named(arch) == nil {
            inputs.append(RunFile("the architecture (arch:)", arch))
        }
        inputs += dataSource.files.map { RunFile("the data set file", $0) }
        let written: [(String, String?)] = [("outputs.model", outputs.model), ("outputs.compressed", outputs.compressed),
                                            ("outputs.report", outputs.report),
                                            ("outputs.plots (its size chart)", outputs.plots.map { RecipePlan.plotPath($0, RecipePlan.sizeChartName) })]
        return RunFiles(inputs: inputs, outputs: written.compactMap { role, path in path.map { RunFile(role, $0) } },
                        outputFolders: [RunFile("outputs.directory", outputs.directory)] + (outputs.plots.map { [RunFile("outputs.plots", $0)] } ?? []))
    }

    /// The file name of the size-per-stage chart in the plots folder.
    static let sizeChartName = "size-per-stage.svg"

    /// The path of the chart `name` in the plots folder `folder`.
    static func plotPath(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// `path` (an `outputs` key's value) inside `directory`, its `.` and `..` components removed;
    /// nil when the key is not given.
    ///
    /// - Throws: when `path` is absolute, its `..` components lead out of `directory`, or it names
    ///   `directory` itself.
    static func outputPath(_ path: String?, in directory: String) throws(OutsideOutputFolder) -> String? {
        guard let path else { return nil }
        guard !path.hasPrefix("/") else { throw OutsideOutputFolder(path: path, directory: directory) }
        var components: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component != ".." {
                components.append(component)
            } else if components.popLast() == nil {
                throw OutsideOutputFolder(path: path, directory: directory)
            }
        }
        guard !components.isEmpty else { throw OutsideOutputFolder(path: path, directory: directory) }
        return URL(fileURLWithPath: directory).appendingPathComponent(components.joined(separator: "/")).relativePath
    }

    /// An output path that leaves `outputs.directory`.
    struct OutsideOutputFolder: Error, CustomStringConvertible {
        var path: String
        var directory: String

        var description: String {
            "'\(path)' is not a file inside outputs.directory (\(directory)); outputs stay inside it: give a relative "
                + "path that does not climb out with '..', or move the folder with outputs.directory"
        }
    }
}
