import Foundation
import ModelIO
import NN
import Pipeline
import TensorCore
import Testing

/// A fresh folder for one test; the caller removes it.
func makeScratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("compress-pipeline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `count` bytes to `name` in `folder` and returns the path.
private func file(_ name: String, bytes count: Int, in folder: URL) throws -> String {
    let path = folder.appendingPathComponent(name).path
    try Data(repeating: 7, count: count).write(to: URL(fileURLWithPath: path))
    return path
}

private func noData() throws -> Dataset {
    Issue.record("the test data was loaded although no accuracy limit was given")
    throw CheckUsageError("no data")
}

@Suite("Size checks")
struct CheckSizeTests {
    @Test("fractions take a percent sign or a plain number; byte counts take units")
    func limitValues() throws {
        #expect(try parseFraction("2%", setting: "--max-growth") == 0.02)
        #expect(try parseFraction(" 0.5 % ", setting: "--max-growth") == 0.005)
        #expect(try parseFraction("0.98", setting: "--min-accuracy") == 0.98)
        #expect(throws: CheckUsageError("--max-growth 'two' is not a fraction; write e.g. 2% or 0.02")) {
            try parseFraction("two", setting: "--max-growth")
        }
        #expect(throws: CheckUsageError.self) { try parseFraction("%", setting: "--max-growth") }
        #expect(try parseByteCount("250000", setting: "--max-bytes") == 250_000)
        #expect(try parseByteCount("1.5MB", setting: "--max-bytes") == 1_500_000)
        #expect(try parseByteCount("2 KiB", setting: "--max-bytes") == 2048)
        #expect(try parseByteCount("10kB", setting: "--max-bytes") == 10_000)
        #expect(throws: CheckUsageError.self) { try parseByteCount("12.5", setting: "--max-bytes") }
        #expect(throws: CheckUsageError.self) { try parseByteCount("-3", setting: "--max-bytes") }
        #expect(throws: CheckUsageError.self) { try parseByteCount("3 apples", setting: "--max-bytes") }
    }

    @Test("limits that need another option, or nothing to check, are usage errors")
    func usage() {
        var growthOnly = SizeLimits()
        growthOnly.maxGrowth = 0.02
        #expect(throws: CheckUsageError("--max-growth needs --baseline sizes.json to compare with")) { try growthOnly.validate() }
        var update = SizeLimits()
        update.updateBaseline = true
        #expect(throws: CheckUsageError.self) { try update.validate() }
        #expect(throws: CheckUsageError.self) { try SizeLimits().validate() }
        var accuracy = SizeLimits()
        accuracy.minAccuracy = 98
        #expect(throws: CheckUsageError.self) { try accuracy.validate() }
    }

    @Test("the size limit passes at the limit and breaks one byte over it")
    func maxBytes() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let small = try file("small.bin", bytes: 1000, in: folder)
        let large = try file("large.bin", bytes: 1001, in: folder)
        var limits = SizeLimits()
        limits.maxBytes = 1000
        let outcome = try checkSizes(files: [small, large], limits: limits, testData: noData)
        #expect(outcome.results.map(\.passed) == [true, false])
        #expect(outcome.failures.map(\.line) == ["FAIL \(large): size 1,001 bytes > limit 1,000 bytes"])
        #expect(outcome.results[0].line == "ok   \(small): size 1,000 bytes <= limit 1,000 bytes")
        #expect(!outcome.passed)
    }

    @Test("baseline keys are paths as given, without leading ./")
    func keys() {
        #expect(SizeBaseline.key(for: "./models/a.bin") == "models/a.bin")
        #expect(SizeBaseline.key(for: "././a.bin") == "a.bin")
        #expect(SizeBaseline.key(for: "/abs/a.bin") == "/abs/a.bin")
        #expect(SizeBaseline(files: ["models/a.bin": 3]).bytes(for: "./models/a.bin") == 3)
    }

    @Test("growth is measured against the file's baseline entry")
    func growth() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try file("model.bin", bytes: 1031, in: folder)
        let baselinePath = folder.appendingPathComponent("sizes.json").path
        try SizeBaseline(files: [model: 1000]).save(to: baselinePath)
        var limits = SizeLimits()
        limits.baseline = baselinePath
        limits.maxGrowth = 0.02
        let broken = try checkSizes(files: [model], limits: limits, testData: noData)
        #expect(broken.failures.map(\.detail) == ["growth +3.10% (1,000 -> 1,031 bytes) > limit +2.00%"])
        limits.maxGrowth = 0.031
        #expect(try checkSizes(files: [model], limits: limits, testData: noData).passed)
        limits.maxGrowth = nil   // a baseline alone allows no growth
        #expect(try !checkSizes(files: [model], limits: limits, testData: noData).passed)
    }

    @Test("a file without a baseline entry breaks the growth limit and says how to record one")
    func missingEntry() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try file("model.bin", bytes: 10, in: folder)
        let baselinePath = folder.appendingPathComponent("sizes.json").path
        try SizeBaseline(files: ["other.bin": 10]).save(to: baselinePath)
        var limits = SizeLimits()
        limits.baseline = baselinePath
        let outcome = try checkSizes(files: [model], limits: limits, testData: noData)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures[0].detail.contains("--update-baseline"))
    }

    @Test("--update-baseline writes the sizes, keeps other entries, and creates a missing file")
    func updateBaseline() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try file("model.bin", bytes: 1200, in: folder)
        let baselinePath = folder.appendingPathComponent("sizes.json").path
        var limits = SizeLimits()
        limits.baseline = baselinePath
        limits.updateBaseline = true
        let created = try checkSizes(files: [model], limits: limits, testData: noData)
        #expect(created.baselineChanges == [BaselineChange(key: model, previousBytes: nil, bytes: 1200)])
        #expect(try SizeBaseline.load(path: baselinePath).files == [model: 1200])

        try SizeBaseline(files: ["other.bin": 5, model: 1000]).save(to: baselinePath)
        limits.maxGrowth = 0.01   // not applied when updating
        let updated = try checkSizes(files: [model], limits: limits, testData: noData)
        #expect(updated.passed)
        #expect(updated.baselineChanges.map(\.line) == ["\(model): 1,000 -> 1,200 bytes (+20.00%)"])
        #expect(try SizeBaseline.load(path: baselinePath).files == ["other.bin": 5, model: 1200])
        let text = try String(contentsOfFile: baselinePath, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["model.bin", "sizes.json"])
    }

    @Test("the baseline is not updated while another limit is broken")
    func noUpdateWhenBroken() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try file("model.bin", bytes: 1200, in: folder)
        let baselinePath = folder.appendingPathComponent("sizes.json").path
        try SizeBaseline(files: [model: 1000]).save(to: baselinePath)
        var limits = SizeLimits()
        limits.baseline = baselinePath
        limits.updateBaseline = true
        limits.maxBytes = 1100
        let outcome = try checkSizes(files: [model], limits: limits, testData: noData)
        #expect(!outcome.passed)
        #expect(outcome.baselineChanges.isEmpty)
        #expect(try SizeBaseline.load(path: baselinePath).files == [model: 1000])
    }

    @Test("a malformed baseline or a missing file is an error naming the file")
    func unreadable() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let baselinePath = folder.appendingPathComponent("sizes.json").path
        try Data(#"{"model.bin": 10}"#.utf8).write(to: URL(fileURLWithPath: baselinePath))
        #expect(throws: ModelFileError(file: baselinePath, #"is not a size baseline: expected {"files": {"path": bytes, ...}}"#)) {
            try SizeBaseline.load(path: baselinePath)
        }
        var limits = SizeLimits()
        limits.maxBytes = 10
        let missing = folder.appendingPathComponent("missing.bin").path
        #expect(throws: ModelFileError(file: missing, "no such file")) {
            try checkSizes(files: [missing], limits: limits, testData: noData)
        }
    }

    @Test("the accuracy limit evaluates the model on the test data")
    func accuracy() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A model that always answers class 1: its accuracy is the share of label 1.
        let dense = Dense(kernel: Tensor(zeros: [4, 2]), bias: Tensor(shape: [2], scalars: [0, 1]))
        let model = Model(inputShape: [2, 2, 1], layers: [("flatten", Flatten()), ("fc", dense)])
        let path = folder.appendingPathComponent("model.h5").path
        try saveKerasModel(model, name: "model", to: path)
        let data = Dataset(images: Tensor(shape: [4, 2, 2, 1], scalars: [Float](repeating: 0.5, count: 16)), labels: [1, 1, 1, 0], classCount: 2)
        var limits = SizeLimits()
        limits.minAccuracy = 0.75
        var loads = 0
        let outcome = try checkSizes(files: [path, path], limits: limits) {
            loads += 1
            return data
        }
        #expect(loads == 1)
        #expect(outcome.passed)
        #expect(outcome.results[0].detail == "top-1 accuracy 75.00% >= limit 75.00% (4 test images)")
        limits.minAccuracy = 0.76
        #expect(try checkSizes(files: [path], limits: limits) { data }.failures.count == 1)
    }

    @Test("JUnit XML has one testsuite and one testcase per limit, failures with their message")
    func junit() throws {
        let results = [
            LimitResult(file: "a&b.bin", kind: .size, passed: true, limit: "size <= 10 bytes", detail: "size 9 bytes <= limit 10 bytes"),
            LimitResult(file: "a&b.bin", kind: .growth, passed: false, limit: "growth <= +2.00%",
                        detail: "growth +3.10% (1,000 -> 1,031 bytes) > limit +2.00%"),
        ]
        let xml = junitXML(results)
        let root = try parseXML(xml)
        #expect(root.name == "testsuite")
        #expect(root.attributes["tests"] == "2")
        #expect(root.attributes["failures"] == "1")
        let cases = root.children.filter { $0.name == "testcase" }
        #expect(cases.map { $0.attributes["name"] } == ["a&b.bin: size <= 10 bytes", "a&b.bin: growth <= +2.00%"])
        #expect(cases[0].children.isEmpty)
        let failure = try #require(cases[1].children.first)
        #expect(failure.name == "failure")
        #expect(failure.attributes["message"] == "growth +3.10% (1,000 -> 1,031 bytes) > limit +2.00%")
        #expect(junitXML(results) == xml)
    }
}
