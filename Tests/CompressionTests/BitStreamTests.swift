import Compression
import TensorCore
import Testing

@Suite("Bit and byte streams")
struct BitStreamTests {
    @Test("values of random widths read back in order, LSB first")
    func bitsRoundTrip() throws {
        var generator = RandomGenerator(seed: 4)
        var writer = BitWriter()
        var written: [(UInt32, Int)] = []
        for _ in 0..<1000 {
            let bits = generator.nextInt(below: 33)
            let value = UInt32(truncatingIfNeeded: generator.next()) & (bits == 32 ? .max : (1 << UInt32(bits)) - 1)
            writer.write(value, bits: bits)
            written.append((value, bits))
        }
        let total = writer.bitCount
        let bytes = writer.finish()
        #expect(bytes.count == (total + 7) / 8)
        var reader = BitReader(bytes, range: 0..<bytes.count, field: "t")
        for (value, bits) in written { #expect(try reader.read(bits: bits) == value) }
        #expect(reader.bitsRead == total)
    }

    @Test("the first value sits in the low bits of the first byte")
    func bitOrder() {
        var writer = BitWriter()
        writer.write(0b101, bits: 3)
        writer.write(0x3F, bits: 6)
        #expect(writer.finish() == [0b1111_1101, 0b0000_0001])
    }

    @Test("reading past the end throws")
    func bitsPastEnd() throws {
        var reader = BitReader([0xFF], range: 0..<1, field: "t")
        _ = try reader.read(bits: 7)
        #expect(throws: EncodedDataError.self) { try reader.read(bits: 2) }
    }

    @Test("varints, zigzag varints, floats and strings round-trip")
    func bytesRoundTrip() throws {
        var writer = ByteWriter()
        let unsigned = [0, 1, 127, 128, 300, 1 << 35, Int.max]
        let signed = [0, -1, 1, -64, 64, Int(Int32.min), 1 << 61, -(1 << 61)]
        for value in unsigned { writer.appendVarint(value) }
        for value in signed { writer.appendSignedVarint(value) }
        writer.appendFloat32(-0.0)
        writer.appendFloat32(.nan)
        writer.appendString("fc1 ✓")
        var cursor = ByteCursor(writer.bytes)
        for value in unsigned { #expect(try cursor.readVarint("v", max: Int.max) == value) }
        for value in signed { #expect(try cursor.readSignedVarint("s", maxMagnitude: Int.max) == value) }
        #expect(try cursor.readFloat32("f").bitPattern == (-0.0 as Float).bitPattern)
        #expect(try cursor.readFloat32("f").isNaN)
        #expect(try cursor.readString("name", maxBytes: 100) == "fc1 ✓")
        #expect(cursor.isAtEnd)
        #expect(ByteWriter.varintSize(300) == 2)
    }

    @Test("a varint over its limit, too long or cut short is an error")
    func badVarints() {
        var over = ByteCursor([0xAC, 0x02])
        #expect(throws: EncodedDataError.self) { try over.readVarint("v", max: 299) }
        var long = ByteCursor([UInt8](repeating: 0xFF, count: 10) + [0x01])
        #expect(throws: EncodedDataError.self) { try long.readVarint("v", max: Int.max) }
        var short = ByteCursor([0x80, 0x80])
        #expect(throws: EncodedDataError.self) { try short.readVarint("v", max: Int.max) }
        var floats = ByteCursor([1, 2, 3, 4, 5])
        #expect(throws: EncodedDataError.self) { try floats.readFloat32s("f", count: 2) }
    }
}
