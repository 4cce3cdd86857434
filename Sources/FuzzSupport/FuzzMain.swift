import Foundation

/// The `main` of a fuzz target (`Scripts/fuzz-*.sh`).
///
/// Built with `-sanitize=fuzzer -D FUZZING`, it hands over to libFuzzer's driver, which calls
/// `check` with each input; `check` traps (`fatalError`) on anything the code under test must
/// not do, and libFuzzer records that input as a crash. Built normally, it replays the files
/// named on the command line through `check` (`Target FILE...`). Either way,
/// `Target --write-seeds DIR` calls `writeSeeds(DIR)` to write the seed corpus.
public func fuzzMain(_ name: String, check: @escaping ([UInt8]) -> Void, writeSeeds: (String) throws -> Void) throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--write-seeds", arguments.count == 2 {
        try FileManager.default.createDirectory(atPath: arguments[1], withIntermediateDirectories: true)
        try writeSeeds(arguments[1])
        return
    }
    #if FUZZING
    fuzzCheck = check
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzCheck(size == 0 ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size)))
        return 0
    })
    #else
    guard !arguments.isEmpty else {
        FileHandle.standardError.write(Data("usage: \(name) FILE... | --write-seeds DIR\n".utf8))
        exit(2)
    }
    for path in arguments {
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("\(name): cannot read \(path)\n".utf8))
            exit(1)
        }
        check([UInt8](data))
        print("\(path): ok")
    }
    #endif
}

#if FUZZING
/// The check libFuzzer's C callback calls (it cannot capture it); set once, before the driver runs.
nonisolated(unsafe) private var fuzzCheck: ([UInt8]) -> Void = { _ in }

/// libFuzzer's entry point for programs that have their own `main` (SwiftPM gives every
/// executable one): runs the fuzzing loop with the command-line arguments.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                 _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif
