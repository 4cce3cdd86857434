import Foundation
import ModelIO
import NN

/// The limits `compress check` holds files to; any of them may be absent.
///
/// ```swift
/// var limits = SizeLimits()
/// limits.maxBytes = 250_000
/// limits.baseline = "sizes.json"
/// limits.maxGrowth = 0.02          // 2%
/// try limits.validate()
/// ```
public struct SizeLimits: Sendable, Equatable {
    /// The largest size in bytes a file may have.
    public var maxBytes: Int?
    /// A ``SizeBaseline`` JSON file to compare sizes against.
    public var baseline: String?
    /// How much a file may grow over its baseline size, as a fraction (0.02 = 2%). With a
    /// baseline and no value, a file may not grow at all.
    public var maxGrowth: Double?
    /// The lowest top-1 accuracy (a fraction) a model file must reach on the test split.
    public var minAccuracy: Double?
    /// Record the files' current sizes in the baseline instead of holding them to it.
    public var updateBaseline = false

    public init() {}

    /// The growth allowed over the baseline: ``maxGrowth``, or 0 when only a baseline is given.
    public var effectiveMaxGrowth: Double { maxGrowth ?? 0 }

    /// Checks that the limits make sense together; throws a ``CheckUsageError`` otherwise.
    public func validate() throws {
        if let maxBytes, maxBytes < 0 { throw CheckUsageError("--max-bytes must be at least 0, got \(maxBytes)") }
        if maxGrowth != nil && baseline == nil { throw CheckUsageError("--max-growth needs --baseline sizes.json to compare with") }
        if updateBaseline && baseline == nil { throw CheckUsageError("--update-baseline needs --baseline sizes.json to write") }
        if let maxGrowth, !(maxGrowth >= 0) { throw CheckUsageError("--max-growth must be at least 0%, got \(percentText(maxGrowth))") }
        if let minAccuracy, !(0...1).contains(minAccuracy) {
            throw CheckUsageError("--min-accuracy must be between 0 and 1 (or 0% and 100%), got \(minAccuracy)")
        }
        if maxBytes == nil && baseline == nil && minAccuracy == nil {
            throw CheckUsageError("nothing to check: give --max-bytes, --baseline or --min-accuracy")
        }
    }
}

/// One limit applied to one file, and whether the file stays within it.
public struct LimitResult: Sendable, Equatable, Codable {
    /// What a limit bounds.
    public enum Kind: String, Sendable, Codable {
        case size, growth, accuracy
    }

    /// The file as given on the command line.
    public var file: String
    public var kind: Kind
    public var passed: Bool
    /// The limit as text: `size <= 250,000 bytes`, `growth <= +2.00%`, `top-1 accuracy >= 98.00%`.
    public var limit: String
    /// What was measured and how it compares: `size 251,200 bytes > limit 250,000 bytes`.
    public var detail: String

    public init(file: String, kind: Kind, passed: Bool, limit: String, detail: String) {
        self.file = file
        self.kind = kind
        self.passed = passed
        self.limit = limit
        self.detail = detail
    }

    /// The result as the one line `compress check` prints: `FAIL model.bin: size 251,200 bytes > limit 250,000 bytes`.
    public var line: String { "\(passed ? "ok  " : "FAIL") \(file): \(detail)" }
}

/// A file's entry in the baseline before and after ``SizeLimits/updateBaseline``.
public struct BaselineChange: Sendable, Equatable {
    public var key: String
    /// The size recorded before, if the file had an entry.
    public var previousBytes: Int?
    public var bytes: Int

    public init(key: String, previousBytes: Int?, bytes: Int) {
        self.key = key
        self.previousBytes = previousBytes
        self.bytes = bytes
    }

    /// `model.bin: 27,931 -> 28,410 bytes (+1.71%)`, or `model.bin: 28,410 bytes (new)`.
    public var line: String {
        guard let previousBytes else { return "\(key): \(groupedDigits(bytes)) bytes (new)" }
        return "\(key): \(groupedDigits(previousBytes)) -> \(groupedDigits(bytes)) bytes (\(signedPercentText(growth(from: previousBytes, to: bytes))))"
    }
}

/// What ``checkSizes(files:limits:testData:)`` found.
public struct SizeCheckOutcome: Sendable, Equatable {
    /// One result per file and limit, files in the order given, then size, growth, accuracy.
    public var results: [LimitResult]
    /// The entries written to the baseline with ``SizeLimits/updateBaseline``; empty when it
    /// was not asked for or not written because a limit was broken.
    public var baselineChanges: [BaselineChange]

    /// Whether every limit holds.
    public var passed: Bool { results.allSatisfy(\.passed) }
    /// The results that break their limit.
    public var failures: [LimitResult] { results.filter { !$0.passed } }
}

/// Holds each of `files` to `limits`: their size in bytes, their growth over the baseline, and
/// (with ``SizeLimits/minAccuracy``) the top-1 accuracy of the model they hold on the test split
/// `testData` returns (called once, only when needed).
///
/// With ``SizeLimits/updateBaseline`` the growth limit is not applied; instead, when every other
/// limit holds, the files' current sizes are written to the baseline file (atomically, keeping
/// the entries of other files). A missing baseline file is then created.
///
/// Throws, naming the file, when a file is not a regular file (symbolic links are followed, so a
/// link is measured by the file it points to), the baseline cannot be read, or a model cannot be
/// loaded or run on the data.
public func checkSizes(files: [String], limits: SizeLimits, testData: () throws -> Dataset) throws -> SizeCheckOutcome {
    try limits.validate()
    var sizes: [Int] = []
    for file in files {
        // The size of the file a symbolic link points to; a FIFO or a device has no size to hold.
        let status = FileStatus(path: file)
        guard case let .regular(_, bytes) = status else { throw ModelFileError(file: file, status.problemAsInput ?? "is not a regular file") }
        sizes.append(bytes)
    }
    var baseline: SizeBaseline?
    if let path = limits.baseline {
        if limits.updateBaseline && !FileManager.default.fileExists(atPath: path) {
            baseline = SizeBaseline()
        } else {
            baseline = try SizeBaseline.load(path: path)
        }
    }
    var test: Dataset?
    var results: [LimitResult] = []
    for (file, bytes) in zip(files, sizes) {
        if let maxBytes = limits.maxBytes {
            let passed = bytes <= maxBytes
            results.append(LimitResult(
                file: file, kind: .size, passed: passed, limit: "size <= \(groupedDigits(maxBytes)) bytes",
                detail: "size \(groupedDigits(bytes)) bytes \(passed ? "<=" : ">") limit \(groupedDigits(maxBytes)) bytes"))
        }
        if let baseline, let baselinePath = limits.baseline, !limits.updateBaseline {
            let maxGrowth = limits.effectiveMaxGrowth
            let limit = "growth <= \(signedPercentText(maxGrowth))"
            if let recorded = baseline.bytes(for: file) {
                let change = growth(from: recorded, to: bytes)
                let passed = change <= maxGrowth
                results.append(LimitResult(
                    file: file, kind: .growth, passed: passed, limit: limit,
                    detail: "growth \(signedPercentText(change)) (\(groupedDigits(recorded)) -> \(groupedDigits(bytes)) bytes) \(passed ? "<=" : ">") limit \(signedPercentText(maxGrowth))"))
            } else {
                results.append(LimitResult(
                    file: file, kind: .growth, passed: false, limit: limit,
                    detail: "growth: \(baselinePath) has no size for '\(SizeBaseline.key(for: file))' (record it with --update-baseline)"))
            }
        }
        if let minAccuracy = limits.minAccuracy {
            let data = try test ?? testData()
            test = data
            let model = try loadModel(path: file)
            try checkModelFitsData(model, data)
            let accuracy = evaluateModel(model, on: data).top1Accuracy
            let passed = accuracy >= minAccuracy
            results.append(LimitResult(
                file: file, kind: .accuracy, passed: passed, limit: "top-1 accuracy >= \(percentText(minAccuracy))",
                detail: "top-1 accuracy \(percentText(accuracy)) \(passed ? ">=" : "<") limit \(percentText(minAccuracy)) (\(groupedDigits(data.count)) test images)"))
        }
    }
    var changes: [BaselineChange] = []
    if limits.updateBaseline, var updated = baseline, let path = limits.baseline, results.allSatisfy(\.passed) {
        for (file, bytes) in zip(files, sizes) {
            let key = SizeBaseline.key(for: file)
            guard !changes.contains(where: { $0.key == key }) else { continue }   // the same file named twice
            changes.append(BaselineChange(key: key, previousBytes: updated.files[key], bytes: bytes))
            updated.files[key] = bytes
        }
        try updated.save(to: path)
    }
    return SizeCheckOutcome(results: results, baselineChanges: changes)
}

/// `(new - old) / old`; infinite when a file grows from nothing.
func growth(from old: Int, to new: Int) -> Double {
    old > 0 ? Double(new - old) / Double(old) : (new > 0 ? .infinity : 0)
}

/// A fraction as a percentage with two decimals: `0.0312` as `3.12%`.
func percentText(_ fraction: Double) -> String {
    String(format: "%.2f%%", fraction * 100)
}

/// A fraction as a signed percentage: `+3.12%`, `-0.50%`, `+inf%`.
func signedPercentText(_ fraction: Double) -> String {
    fraction.isInfinite ? "+inf%" : String(format: "%+.2f%%", fraction * 100)
}
