/// Table-driven decoding of a ``HuffmanCode``: one lookup per one or two symbols.
///
/// The table has `2^L` entries for the longest code length `L` (at most 4096): the entry at the
/// next `L` bits of input holds the symbol they start with and its length, and, when the code
/// word after it also lies within those `L` bits, that second symbol too. Bits sit in a 64-bit
/// buffer refilled eight bytes at a time with one unaligned load, which leaves at least 56 valid
/// bits, enough for four lookups of up to 12 bits before the next refill.
///
/// The input is untrusted: bit patterns no code word starts with (in an incomplete code) and
/// input that ends before `count` symbols are errors; reads never go past the given range.
///
/// ```swift
/// let decoder = HuffmanDecoder(code: code)
/// let (symbols, used) = try decoder.decode(bytes, range: 0..<bytes.count, count: n, field: "weights")
/// ```
public struct HuffmanDecoder: Sendable {
    /// Per context, `2^L` entries: bits 0-3 the bits the entry's symbols take, 4-7 the first
    /// symbol's length, 8-15 the first symbol, 16-23 the second, 24-25 how many symbols (1 or 2),
    /// 26 the context after them, 27 the context after the first. Entry 0 marks a pattern no code
    /// word starts with.
    private let table: [UInt32]
    private let tableBits: Int
    private let contextual: Bool

    /// A decoder for one code.
    public init(code: HuffmanCode) {
        self.init(codes: [code], contextSymbol: nil)
    }

    /// A decoder for `codes[0]`, or, given a `contextSymbol`, for `codes[0]` except right after an
    /// occurrence of that symbol, where `codes[1]` applies (as ``HuffmanCode/encode(_:codes:contextSymbol:)``
    /// writes). The first symbol uses `codes[0]`.
    public init(codes: [HuffmanCode], contextSymbol: UInt8?) {
        precondition(codes.count == (contextSymbol == nil ? 1 : 2), "HuffmanDecoder: one code, or two with a context symbol")
        let bits = Swift.max(codes.map(\.longestLength).max() ?? 1, 1)
        let size = 1 << bits
        // Single-symbol entries per context: symbol << 4 | length.
        var single = [UInt16](repeating: 0, count: codes.count * size)
        for (context, code) in codes.enumerated() {
            for symbol in 0..<code.alphabetSize where code.lengths[symbol] > 0 {
                let length = Int(code.lengths[symbol])
                let entry = UInt16(symbol) << 4 | UInt16(length)
                var index = Int(code.reversedCodes[symbol])
                while index < size {
                    single[context * size + index] = entry
                    index += 1 << length
                }
            }
        }
        func next(after symbol: UInt16) -> Int { contextSymbol.map { symbol == UInt16($0) ? 1 : 0 } ?? 0 }
        var table = [UInt32](repeating: 0, count: codes.count * size)
        for context in 0..<codes.count {
            for index in 0..<size {
                let first = single[context * size + index]
                let firstLength = Int(first & 15)
                guard firstLength > 0 else { continue }
                let firstSymbol = first >> 4
                let afterFirst = next(after: firstSymbol)
                let afterFirstBit = UInt32(afterFirst) << 27
                var entry = UInt32(firstLength) | UInt32(firstLength) << 4 | UInt32(firstSymbol) << 8 | 1 << 24 | UInt32(afterFirst) << 26
                    | afterFirstBit
                let second = single[afterFirst * size + (index >> firstLength)]
                let secondLength = Int(second & 15)
                if secondLength > 0 && firstLength + secondLength <= bits {
                    entry = UInt32(firstLength + secondLength) | UInt32(firstLength) << 4 | UInt32(firstSymbol) << 8
                        | UInt32(second >> 4) << 16 | 2 << 24 | UInt32(next(after: second >> 4)) << 26 | afterFirstBit
                }
                table[context * size + index] = entry
            }
        }
        self.table = table
        tableBits = bits
        contextual = contextSymbol != nil
    }

    /// Decodes `count` symbols from `bytes[range]`, starting at bit `startBit` (0 to 7) of its
    /// first byte; returns them and the number of bytes from the range's start to the end of their
    /// code words (the last one possibly in part). Bytes after them are not read as symbols;
    /// reads never leave `range`.
    public func decode(_ bytes: [UInt8], range: Range<Int>, count: Int, startBit: Int = 0,
                       field: String) throws -> (symbols: [UInt8], byteCount: Int) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "HuffmanDecoder: range outside the buffer")
        precondition((0..<8).contains(startBit), "HuffmanDecoder: start bit \(startBit)")
        guard count >= 0, count <= range.count * 8 else {
            throw EncodedDataError(field: field, "\(count) symbols cannot fit in the \(range.count) bytes left (truncated)")
        }
        var valid = true
        var consumedBits = 0
        let symbols = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            bytes.withUnsafeBytes { raw in
                let input = UnsafeRawBufferPointer(rebasing: raw[range])
                (consumedBits, valid) = decode(input, count: count, startBit: startBit, into: output.baseAddress!)
            }
            initialized = count
        }
        guard valid else { throw EncodedDataError(field: field, "holds a bit pattern that is no code word (corrupt)") }
        guard consumedBits <= range.count * 8 else {
            throw EncodedDataError(field: field, "ends before its \(count) symbols (truncated)")
        }
        return (symbols, (consumedBits + 7) / 8)
    }

    /// Decodes `count` symbols into `output`, from bit `startBit` of `input`; returns the bits
    /// consumed from the start of `input`, `startBit` included (bytes past its end read as zeros
    /// and count as consumed), and whether every pattern was a code word.
    func decode(_ input: UnsafeRawBufferPointer, count: Int, startBit: Int = 0, into output: UnsafeMutablePointer<UInt8>) -> (bits: Int, valid: Bool) {
        contextual ? decode(input, count: count, startBit: startBit, into: output, contexts: true)
            : decode(input, count: count, startBit: startBit, into: output, contexts: false)
    }

    /// The decoding loop; `contexts` is a constant at each call, so each copy keeps only its path.
    @inline(__always)
    private func decode(_ input: UnsafeRawBufferPointer, count: Int, startBit: Int, into output: UnsafeMutablePointer<UInt8>,
                        contexts: Bool) -> (bits: Int, valid: Bool) {
        if count == 0 { return (startBit, true) }
        return table.withUnsafeBufferPointer { tablePointer in
            let lookup = tablePointer.baseAddress!
            let bits = UInt32(tableBits)
            let mask = UInt64((1 << tableBits) - 1)
            let base = input.baseAddress!
            let byteCount = input.count
            let out = UnsafeMutableRawPointer(output)
            var position = 0          // next byte to load (may pass the end: those bytes are zeros)
            var buffer: UInt64 = 0
            var available: UInt64 = 0
            if startBit > 0 {
                // The first byte's bits from `startBit` on; the refills below keep any count.
                buffer = byteCount > 0 ? UInt64(base.load(as: UInt8.self)) &>> UInt64(startBit) : 0
                available = UInt64(8 - startBit)
                position = 1
            }
            var context: UInt32 = 0   // offset of the current context's table
            // Entry 0 is the only invalid one; `entry - 1` then wraps to 0xFFFFFFFF (bit 31 set),
            // while valid entries stay below 2^28. OR-ing keeps the check branch-free.
            var invalidBits: UInt32 = 0
            var i = 0
            // Fast path: 8 readable bytes and room for 8 symbols; 4 lookups per refill, each
            // storing two bytes (the second is overwritten when the entry holds one symbol).
            if byteCount >= 8 && count >= 8 {
                let lastLoad = byteCount - 8
                let lastStart = count - 8
                while i <= lastStart && position <= lastLoad {
                    buffer |= UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self)) &<< available
                    position &+= Int(truncatingIfNeeded: (63 &- available) &>> 3)
                    available |= 56
                    for _ in 0..<4 {
                        let slot = contexts ? Int(truncatingIfNeeded: context) | Int(truncatingIfNeeded: buffer & mask)
                            : Int(truncatingIfNeeded: buffer & mask)
                        let entry = lookup[slot]
                        let length = UInt64(entry & 15)
                        buffer &>>= length
                        available &-= length
                        out.storeBytes(of: UInt16(truncatingIfNeeded: entry &>> 8), toByteOffset: i, as: UInt16.self)
                        invalidBits |= entry &- 1
                        i &+= Int(truncatingIfNeeded: (entry &>> 24) & 3)
                        if contexts { context = ((entry &>> 26) & 1) &<< bits }
                    }
                    // An invalid pattern consumes nothing: leave it to the careful path.
                    if invalidBits & 0x8000_0000 != 0 { break }
                }
            }
            // Careful path: one symbol at a time, byte by byte, zeros past the end.
            while i < count {
                while available <= 56 {
                    let byte: UInt64 = position < byteCount ? UInt64(base.load(fromByteOffset: position, as: UInt8.self)) : 0
                    buffer |= byte &<< available
                    available &+= 8
                    position &+= 1
                }
                let entry = lookup[Int(truncatingIfNeeded: context) | Int(truncatingIfNeeded: buffer & mask)]
                let length = UInt64((entry &>> 4) & 15)
                buffer &>>= length
                available &-= length
                output[i] = UInt8(truncatingIfNeeded: entry &>> 8)
                invalidBits |= entry &- 1
                if length == 0 { break }
                i &+= 1
                if contexts { context = ((entry &>> 27) & 1) &<< bits }
                // Reading far past the end means the input cannot hold the symbols: stop early.
                if position > byteCount &+ 8 { break }
            }
            let valid = invalidBits & 0x8000_0000 == 0
            if i < count {
                // Stopped early; fill the rest so the output is initialised.
                (output + i).initialize(repeating: 0, count: count &- i)
                if valid { return (Int.max, true) }
            }
            return (position &* 8 &- Int(available), valid)
        }
    }
}
