import Foundation
import ModelIO
import TensorCore
import Testing

/// A zip with a deflated text entry, a stored binary entry and an empty entry.
private func sampleArchive() throws -> (bytes: [UInt8], entries: [String: [UInt8]]) {
    let entries: [String: [UInt8]] = [
        "config.json": Array(String(repeating: "{\"layers\": []} ", count: 40).utf8),
        "model.weights.h5": (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) },
        "empty": [],
    ]
    var writer = ZipWriter()
    try writer.append("config.json", contents: entries["config.json"]!)
    try writer.append("model.weights.h5", contents: entries["model.weights.h5"]!, method: .stored)
    try writer.append("empty", contents: [])
    return (writer.finished(), entries)
}

@Suite("Zip archives")
struct ZipArchiveTests {
    @Test func writtenEntriesReadBack() throws {
        let (bytes, entries) = try sampleArchive()
        let archive = try ZipArchive(bytes: bytes)
        #expect(archive.entries.map(\.name) == ["config.json", "model.weights.h5", "empty"])
        #expect(archive.entry(named: "config.json")?.method == .deflated)
        #expect(archive.entry(named: "model.weights.h5")?.method == .stored)
        for (name, contents) in entries {
            #expect(try archive.extract(named: name, limit: 1 << 20) == contents)
        }
        #expect(archive.entry(named: "config.json")!.compressedSize < entries["config.json"]!.count)
    }

    @Test func writingIsDeterministic() throws {
        #expect(try sampleArchive().bytes == sampleArchive().bytes)
    }

    @Test func readsArchivesNumPyWrote() throws {
        // np.savez_compressed (deflated) and np.savez (stored), both with Python's zip64 local headers.
        for (name, members) in [("numpy-deflated.npz", ["x.npy", "y.npy"]),
                                ("numpy-stored.npz", ["x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy"])] {
            let archive = try ZipArchive(contentsOf: KerasFixtures.root.appendingPathComponent(name))
            #expect(archive.entries.map(\.name) == members)
            for entry in archive.entries {
                #expect(try archive.extract(entry, limit: 1 << 20).starts(with: [0x93] + Array("NUMPY".utf8)))
            }
        }
    }

    @Test func missingEntryAndLimitAreErrors() throws {
        let archive = try ZipArchive(bytes: sampleArchive().bytes, file: "a.zip")
        #expect(throws: ZipError.missingEntry(archive: "a.zip", name: "nope")) { try archive.extract(named: "nope", limit: 10) }
        #expect(throws: ZipError.tooLarge(archive: "a.zip", entry: "entry 'model.weights.h5'", claimedBytes: 300, limitBytes: 299)) {
            try archive.extract(named: "model.weights.h5", limit: 299)
        }
    }

    @Test func damagedDataFailsItsCRC() throws {
        var bytes = try sampleArchive().bytes
        let archive = try ZipArchive(bytes: bytes)
        let stored = archive.entry(named: "model.weights.h5")!
        // The stored entry's data follows its 30-byte local header and its name.
        bytes[bytes.firstRange(of: Array("model.weights.h5".utf8))!.upperBound + 5] ^= 0xFF
        let damaged = try ZipArchive(bytes: bytes, file: "a.zip")
        #expect {
            try damaged.extract(stored, limit: 1 << 20)
        } throws: { error in
            guard case .badEntry(archive: "a.zip", entry: "model.weights.h5", let reason) = error as? ZipError else { return false }
            return reason.contains("CRC-32")
        }
    }

    @Test func refusesEncryptionZip64AndOtherMethods() throws {
        let bytes = try sampleArchive().bytes
        let directory = bytes.firstRange(of: [0x50, 0x4B, 0x01, 0x02])!.lowerBound
        func refused(_ edit: (inout [UInt8]) -> Void) -> String? {
            var copy = bytes
            edit(&copy)
            do {
                _ = try ZipArchive(bytes: copy)
                return nil
            } catch let ZipError.unsupported(_, feature) {
                return feature
            } catch {
                return "\(error)"
            }
        }
        #expect(refused { $0[directory + 8] |= 1 }?.contains("encrypted") == true)
        #expect(refused { $0[directory + 10] = 12 }?.contains("method 12") == true)
        #expect(refused { $0[directory + 20 ..< directory + 24] = [0xFF, 0xFF, 0xFF, 0xFF] }?.contains("zip64") == true)
        #expect(refused { $0[$0.count - 22 + 4] = 1 }?.contains("several disks") == true)
    }

    @Test func aClaimBeyondDeflateRatioIsRefusedBeforeAllocating() throws {
        var writer = ZipWriter()
        try writer.append("bomb", contents: [UInt8](repeating: 0, count: 10_000))
        var bytes = writer.finished()
        let directory = bytes.firstRange(of: [0x50, 0x4B, 0x01, 0x02])!.lowerBound
        bytes[directory + 24 ..< directory + 28] = [0x00, 0x00, 0x00, 0x40]   // claims 1 GiB
        let archive = try ZipArchive(bytes: bytes, file: "bomb.zip")
        #expect {
            try archive.extract(named: "bomb", limit: 1 << 31)
        } throws: { error in
            guard case .badEntry(_, "bomb", let reason) = error as? ZipError else { return false }
            return reason.contains("more than deflate can expand")
        }
    }

    @Test func notAZipIsOneClearError() {
        #expect(throws: ZipError.corrupt(archive: "x", reason: "no end-of-central-directory record (not a zip archive?)")) {
            try ZipArchive(bytes: [UInt8](repeating: 7, count: 100), file: "x")
        }
    }

    @Test func writerRefusesBadNames() throws {
        var writer = ZipWriter()
        try writer.append("a", contents: [1])
        #expect(throws: ZipError.self) { try writer.append("a", contents: [2]) }
        #expect(throws: ZipError.self) { try writer.append("", contents: [2]) }
        #expect(writer.count == 1)
    }

    /// Random byte flips, byte runs and truncations of a valid archive: reading and extracting every
    /// entry either succeeds or throws, and never traps or allocates what the bytes do not hold.
    @Test func mutatedArchivesNeverCrash() throws {
        let original = try sampleArchive().bytes
        var generator = RandomGenerator(seed: 14)
        var outcomes = (read: 0, failed: 0)
        for round in 0..<3000 {
            var bytes = original
            switch round % 3 {
            case 0:
                for _ in 0..<(1 + generator.nextInt(below: 4)) {
                    bytes[generator.nextInt(below: bytes.count)] ^= UInt8(1 + generator.nextInt(below: 255))
                }
            case 1:
                let start = generator.nextInt(below: bytes.count)
                let value: UInt8 = generator.nextInt(below: 2) == 0 ? 0xFF : 0
                for i in start..<min(bytes.count, start + 1 + generator.nextInt(below: 6)) { bytes[i] = value }
            default:
                bytes.removeLast(1 + generator.nextInt(below: bytes.count - 1))
            }
            do {
                let archive = try ZipArchive(bytes: bytes)
                for entry in archive.entries { _ = try archive.extract(entry, limit: 1 << 16) }
                outcomes.read += 1
            } catch is ZipError {
                outcomes.failed += 1
            }
        }
        #expect(outcomes.read + outcomes.failed == 3000 && outcomes.failed > 0)
    }
}
