import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Pipeline
import Testing

/// The element names and `failure` messages of an XML document, in document order; nil when
/// it is not well-formed.
private func xmlElements(_ text: String) -> (names: [String], failureMessages: [String])? {
    final class Collector: NSObject, XMLParserDelegate {
        var names: [String] = []
        var failureMessages: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            names.append(name)
            if name == "failure" { failureMessages.append(attributes["message"] ?? "") }
        }
    }
    let parser = XMLParser(data: Data(text.utf8))
    let collector = Collector()
    parser.delegate = collector
    return parser.parse() ? (collector.names, collector.failureMessages) : nil
}

@Suite("compress check")
struct CheckCommandTests {
    let model = "fixtures/lenet300.h5"

    var modelBytes: Int {
        get throws { try FileManager.default.attributesOfItem(atPath: repositoryRoot.appendingPathComponent(model).path)[.size] as! Int }
    }

    @Test("exit 0 within the limit, 1 over it with the figure and the limit on one line")
    func sizeLimit() throws {
        let bytes = try modelBytes
        let within = try runCompress(["check", model, "--max-bytes", "\(bytes)"])
        #expect(within.status == 0, "\(within.stderr)")
        let over = try runCompress(["check", model, "--max-bytes", "\(bytes - 1)"])
        #expect(over.status == 1)
        let failures = over.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(failures == ["FAIL \(model): size \(groupedDigits(bytes)) bytes > limit \(groupedDigits(bytes - 1)) bytes"])
    }

    @Test("every broken limit gets its own line; JUnit XML has a testcase per limit and a failure per broken one")
    func junit() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let baseline = folder.appendingPathComponent("sizes.json").path
        try Data(#"{"files": {"\#(model)": 1000}}"#.utf8).write(to: URL(fileURLWithPath: baseline))
        let junit = folder.appendingPathComponent("check.xml").path
        let result = try runCompress(["check", "./" + model, "--max-bytes", "1kB", "--baseline", baseline, "--max-growth", "2%",
                                      "--junit", junit])
        #expect(result.status == 1)
        let failures = result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        #expect(failures.count == 2)
        #expect(failures.contains { $0.contains("size") && $0.contains("limit 1,000 bytes") })
        #expect(failures.contains { $0.contains("growth") && $0.contains("limit +2.00%") })
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        let parsed = try #require(xmlElements(xml))
        #expect(parsed.names.filter { $0 == "testsuite" }.count == 1)
        #expect(parsed.names.filter { $0 == "testcase" }.count == 2)
        #expect(parsed.failureMessages.count == 2)
        #expect(parsed.failureMessages.allSatisfy { message in failures.contains { $0.hasSuffix(message) } })
    }

    @Test("--update-baseline writes the sizes; a later check against them passes")
    func updateBaseline() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let baseline = folder.appendingPathComponent("sizes.json").path
        let update = try runCompress(["check", model, "--baseline", baseline, "--update-baseline"])
        #expect(update.status == 0, "\(update.stderr)")
        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: baseline))) as? [String: [String: Int]]
        #expect(recorded == ["files": [model: try modelBytes]])
        let check = try runCompress(["check", model, "--baseline", baseline, "--max-growth", "0.02"])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("growth +0.00%"))
    }

    @Test("--min-accuracy evaluates the model on the test data")
    func accuracy() throws {
        let data = try sampleDataFolder()
        defer { try? FileManager.default.removeItem(at: data) }
        let pass = try runCompress(["check", model, "--min-accuracy", "50%", "--data", data.path])
        #expect(pass.status == 0, "\(pass.stderr)")
        #expect(pass.stdout.contains("(1,000 test images)"))
        let fail = try runCompress(["check", model, "--min-accuracy", "0.9999", "--data", data.path])
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("< limit 99.99%"))
    }

    @Test("bad usage exits with 2 and one error line before the usage", arguments: [
        ["check", "fixtures/lenet300.h5", "--max-growth", "2%"],                      // needs --baseline
        ["check", "fixtures/lenet300.h5", "--baseline", "sizes.json", "--max-growth", "two"],
        ["check", "fixtures/lenet300.h5", "--max-bytes", "lots"],
        ["check", "fixtures/lenet300.h5", "--max-bytes"],                            // missing value
        ["check", "fixtures/lenet300.h5", "--max-bytse", "10"],                      // unknown option
        ["check", "fixtures/lenet300.h5"],                                           // nothing to check
        ["check", "--max-bytes", "10"],                                              // no file
        ["check", "fixtures/missing.h5", "--max-bytes", "10"],                       // file cannot be checked
    ])
    func badUsage(arguments: [String]) throws {
        let result = try runCompress(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("compress"))
    }

    @Test("--help exits with 0 and documents the exit codes")
    func help() throws {
        let result = try runCompress(["check", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--max-growth"))
        #expect(result.stdout.contains("2 on bad usage"))
    }

    /// A folder of IDX files holding the 1000-image MNIST sample as both splits.
    private func sampleDataFolder() throws -> URL {
        let directory = try temporaryDirectory()
        let fixtures = repositoryRoot.appendingPathComponent("fixtures")
        for split in ["train", "t10k"] {
            for (kind, rank) in [("images", 3), ("labels", 1)] {
                try FileManager.default.copyItem(
                    at: fixtures.appendingPathComponent("mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                    to: directory.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
            }
        }
        return directory
    }
}
