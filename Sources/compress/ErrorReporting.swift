import ArgumentParser
import Foundation

/// Runs `body`; an error it throws is printed as one line on stderr and the command exits with 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let line = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("compress: \(line)\n".utf8))
        throw ExitCode.failure
    }
}

/// Prints a value as pretty JSON with sorted keys on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
