import ArgumentParser
import Foundation
import NN
import ModelIO

/// Runs `body`; an error it throws is printed as one line on stderr and the command exits with 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        printError(error)
        throw ExitCode.failure
    }
}

/// Prints `error` on stderr as the one line `compress: ...` (see ``errorLine(_:)``).
func printError(_ error: Error) {
    FileHandle.standardError.write(Data("compress: \(errorLine(error))\n".utf8))
}

/// `error` as one line a terminal shows as text: a Foundation file-system error as `path: reason`
/// (not its user-info dictionary), line breaks as spaces, and control characters (ESC, BEL, the
/// other C0 and C1 codes, DEL) escaped as `\u{1B}`, so names read from files cannot drive the terminal.
func errorLine(_ error: Error) -> String {
    oneLineDescription(error).escapingControlCharacters
}

/// Prints a value as pretty JSON with sorted keys on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
