import Foundation
import ModelIO
import NN

extension RecipePlan {
    /// Changes whenever the meaning of a cached stage result changes (bump it with the stage
    /// semantics), so old results are never reused for new ones.
    public static let cacheFormat = "compress-recipe-cache-1"

    /// Each stage's cache key: 16 hex digits of ``StableHash`` over the previous stage's key
    /// (the first stage's over the cache format, `dataFingerprint`, the seed and the bytes of the
    /// starting model or architecture file) and the stage's canonical settings (the keys written
    /// in the recipe, as sorted JSON; its name left out).
    ///
    /// Editing stage 4 changes the keys of stages 4 and later only, so a run reuses the results
    /// of stages 1 to 3.
    public func cacheKeys(dataFingerprint: String) throws -> [String] {
        var root = StableHash()
        root.combine(RecipePlan.cacheFormat)
        root.combine(dataFingerprint)
        root.combine(String(seed))
        if let model {
            root.combine("model")
            root.combine(try fileFingerprint(model))
        }
        if case .train(let arch?, _) = stages.first?.resolved {
            root.combine("arch")
            root.combine(Architecture.named(arch) != nil ? arch : try fileFingerprint(arch))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var previous = root.hexDigest
        var keys: [String] = []
        for stage in stages {
            var hash = StableHash()
            hash.combine(previous)
            hash.combine(bytes: try encoder.encode(stage.stage))
            previous = hash.hexDigest
            keys.append(previous)
        }
        return keys
    }
}

/// A fingerprint of the data a run uses: ``StableHash`` of the images (as the floats the model
/// sees, so the normalisation counts) and labels of each split.
public func datasetFingerprint(_ splits: [Dataset]) -> String {
    var hash = StableHash()
    for split in splits {
        hash.combine("split \(split.count) \(split.imageShape) \(split.classCount)")
        split.images.scalars.withUnsafeBytes { hash.combine($0) }
        split.labels.withUnsafeBytes { hash.combine($0) }
    }
    return hash.hexDigest
}

/// ``StableHash`` of a file's bytes.
func fileFingerprint(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw ModelFileError(file: path, "cannot be read") }
    var hash = StableHash()
    data.withUnsafeBytes { hash.combine($0) }
    return hash.hexDigest
}
