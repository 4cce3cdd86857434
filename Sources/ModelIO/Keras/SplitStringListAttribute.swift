import HDF5

/// The largest attribute Keras writes in one piece: an object header message holds at most
/// 64 KiB, and Keras keeps 1 KiB of it spare (`HDF5_OBJECT_HEADER_LIMIT` in `keras/src/legacy/saving`).
let kerasAttributeByteLimit = 64_512

extension HDF5Object {
    /// Stores a list of strings as Keras does: as the attribute `name` when it fits in
    /// ``kerasAttributeByteLimit`` bytes, else split into `name0`, `name1`, ... (as few as fit, in
    /// order), which Keras and ``KerasModelFile`` read back as one list. Without this a model with
    /// thousands of layers cannot be saved (`layer_names` overflows the object header).
    func setKerasStringList(_ name: String, strings: [String]) throws {
        let width = (strings.map(\.utf8.count).max() ?? 0) + 1   // fixed-length strings, terminator included
        var chunks = 1
        while (strings.count + chunks - 1) / chunks * width > kerasAttributeByteLimit { chunks += 1 }
        guard chunks > 1 else { return try setAttribute(name, strings: strings) }
        // As numpy's array_split: the first count % chunks pieces get one string more.
        let base = strings.count / chunks, extra = strings.count % chunks
        var start = 0
        for index in 0..<chunks {
            let end = start + base + (index < extra ? 1 : 0)
            try setAttribute("\(name)\(index)", strings: Array(strings[start..<end]))
            start = end
        }
    }
}
