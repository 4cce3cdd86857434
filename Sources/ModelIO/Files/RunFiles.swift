import Foundation

/// One file a command reads or writes, with what it is to the command (`the input model`,
/// `the output (-o)`, `outputs.report`), as error messages name it.
public struct RunFile: Sendable, Equatable {
    public var role: String
    public var path: String
    /// Whether the file is read as a model, so a Keras 3 `.keras` archive is told apart.
    public var isModel: Bool

    public init(_ role: String, _ path: String, isModel: Bool = false) {
        self.role = role
        self.path = path
        self.isModel = isModel
    }
}

/// The files one run of a command reads and writes, checked together before any work starts.
///
/// Every input must be a regular file (symbolic links followed; nothing is opened, so a FIFO
/// cannot block). Every output must be a regular file or not exist yet, and may not be, or
/// resolve to, an input or another output: paths are compared by device and inode when the file
/// exists, by their resolved path otherwise. An output's folder must exist, or be (inside) one of
/// the output folders, which must be folders or not exist yet (they are created).
///
/// ```swift
/// try RunFiles(inputs: [RunFile("the input model", "p.h5", isModel: true), RunFile("the data set file", "d.h5")],
///              outputs: [RunFile("the output (-o)", "d.h5")]).validate()
/// // d.h5: the output (-o) is the same file as the data set file d.h5; choose another output path ...
/// ```
public struct RunFiles: Sendable {
    public var inputs: [RunFile]
    public var outputs: [RunFile]
    /// Folders files are written into (`--plots`, a recipe's output folder).
    public var outputFolders: [RunFile]

    public init(inputs: [RunFile] = [], outputs: [RunFile] = [], outputFolders: [RunFile] = []) {
        self.inputs = inputs
        self.outputs = outputs
        self.outputFolders = outputFolders
    }

    /// Throws a ``ModelFileError`` for the first problem, naming the path (and the other path of a
    /// collision).
    ///
    /// - Parameter requireInputs: whether inputs must exist as regular files; without it an input
    ///   that is not a file (a built-in architecture name) is only kept from being overwritten.
    public func validate(requireInputs: Bool = true) throws {
        if requireInputs {
            for input in inputs {
                try input.isModel ? requireModelFile(input.path) : requireRegularFile(input.path)
            }
        }
        for output in outputs {
            try RunFiles.checkOutputFile(output.path)
        }
        for folder in outputFolders {
            try RunFiles.checkOutputFolder(folder.path)
        }
        let inputIdentities = inputs.map { (file: $0, identity: FileStatus(path: $0.path).identity) }
        let plannedFolders = outputFolders.map { resolvedPath($0.path) }
        var earlier: [(file: RunFile, key: FileKey)] = []
        for output in outputs {
            let key = FileKey(path: output.path)
            if case let .existing(identity) = key, let input = inputIdentities.first(where: { $0.identity == identity }) {
                throw ModelFileError(file: output.path, "\(output.role) is also an input, \(input.file.role) \(input.file.path) "
                                     + "(the same file); choose another output path so the input is not overwritten")
            }
            if let other = earlier.first(where: { $0.key == key }) {
                throw ModelFileError(file: output.path, "\(output.role) is also \(other.file.role) \(other.file.path) "
                                     + "(the same file); give each output its own path")
            }
            earlier.append((output, key))
            let folder = URL(fileURLWithPath: resolvedPath(output.path)).deletingLastPathComponent().path
            guard case .directory = FileStatus(path: folder) else {
                if plannedFolders.contains(where: { folder == $0 || folder.hasPrefix($0 + "/") }) { continue }
                throw ModelFileError(file: output.path, "its folder \(folder) does not exist")
            }
        }
    }

    /// Checks one output file before any work: see ``validate(requireInputs:)``; `inputs` need
    /// not exist (a built-in architecture's name), but one that does may not be overwritten.
    public static func checkOutput(_ path: String, protecting inputs: [String]) throws {
        try RunFiles(inputs: inputs.map { RunFile("the input", $0) }, outputs: [RunFile("the output", path)]).validate(requireInputs: false)
    }

    /// Why `path` cannot be written as an output file, if it cannot.
    static func checkOutputFile(_ path: String) throws {
        guard !path.isEmpty else { throw ModelFileError(file: path, "the output path is empty") }
        guard !path.hasSuffix("/") else {
            throw ModelFileError(file: path, "ends with '/', which names a folder; give the output file's name (\(path)NAME)")
        }
        switch FileStatus(path: path) {
        case .regular, .missing: return
        case .directory: throw ModelFileError(file: path, "is a directory; give the path of the output file")
        case let .special(kind): throw ModelFileError(file: path, "is \(kind), not a regular file; refusing to replace it")
        case .danglingSymlink: throw ModelFileError(file: path, "is a symbolic link to a file that does not exist; refusing to write through it")
        case .symlinkLoop: throw ModelFileError(file: path, "is a symbolic link loop")
        case let .inaccessible(reason): throw ModelFileError(file: path, "cannot be written: \(reason)")
        }
    }

    /// Why files cannot be written into the folder `path`, if they cannot.
    static func checkOutputFolder(_ path: String) throws {
        guard !path.isEmpty else { throw ModelFileError(file: path, "the output folder path is empty") }
        switch FileStatus(path: path) {
        case .directory, .missing: return
        case .regular: throw ModelFileError(file: path, "is a file, not a folder")
        case let status: throw ModelFileError(file: path, status.problemAsInput ?? "is not a folder")
        }
    }
}

/// What makes two paths the same file: the device and inode of an existing file, else the path
/// with its existing folders' symbolic links resolved.
enum FileKey: Equatable {
    case existing(FileIdentity)
    case planned(String)

    init(path: String) {
        if let identity = FileStatus(path: path).identity {
            self = .existing(identity)
        } else {
            self = .planned(resolvedPath(path))
        }
    }
}

/// `path` made absolute, with `.` and `..` removed and the symbolic links of its longest existing
/// prefix resolved; the file itself need not exist.
public func resolvedPath(_ path: String) -> String {
    var existing = URL(fileURLWithPath: path).standardizedFileURL
    var missing: [String] = []
    while existing.path != "/", FileStatus(path: existing.path) == .missing {
        missing.insert(existing.lastPathComponent, at: 0)
        existing.deleteLastPathComponent()
    }
    var base = existing.path
    if let real = realpath(existing.path, nil) {
        base = String(cString: real)
        free(real)
    }
    return missing.reduce(URL(fileURLWithPath: base)) { $0.appendingPathComponent($1) }.path
}
