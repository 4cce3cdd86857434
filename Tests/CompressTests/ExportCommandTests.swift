import Compression
import Foundation
import ModelIO
import NN
import TensorCore
import Testing

/// `compress export --c`: the exported C, compiled with the system compiler, predicts what
/// `compress eval` predicts, in both runtime modes.
@Suite("compress export --c")
struct ExportCommandTests {
    /// Small models that use every layer type the file can hold, in every stored encoding.
    static let architectures: [(name: String, text: String)] = [
        ("convolutions", """
            input 28x28x1
            zeropad2d pad1 pad=1
            conv2d conv1 filters=4 kernel=3 activation=relu
            maxpool2d pool1 size=2
            batchnorm bn1
            depthwiseconv2d dw1 kernel=3 stride=2 padding=same multiplier=2 activation=relu6
            avgpool2d pool2 size=2 stride=1 padding=same
            conv2d conv2 filters=6 kernel=3 activation=tanh
            avgpool2d pool3 size=2
            globalavgpool2d gap
            dense fc1 units=16 activation=sigmoid
            dropout rate=0.25
            activation act1 function=relu
            batchnorm bn2 center=false
            dense fc2 units=10 activation=softmax
            """),
        ("rows", """
            input 28x28x1
            reshape rows shape=28x28
            dense fcr units=8 activation=relu
            flatten
            dense fc units=10
            activation act function=softmax
            """),
    ]

    /// Stored encodings given to the parameters, in turn.
    enum Encoding: CaseIterable { case sparseKMeans, int8PerChannel, float16, sparseFloat, int8, kmeans, float }

    /// The architecture built with random weights, each kernel and normalization vector given
    /// the next encoding, and statistics a batch normalization could have learnt.
    static func model(_ text: String) throws -> (Model, CompressionState) {
        let model = try Architecture(parsing: text).build(seed: 7)
        var generator = RandomGenerator(seed: 11)
        var state = CompressionState()
        var next = 0
        for entry in model.entries {
            for parameter in entry.layer.parameters {
                let key = "\(entry.name).\(parameter.name)"
                switch parameter.name {
                case "moving_variance": parameter.value = generator.uniform(shape: parameter.shape, low: 0.5, high: 1.5)
                case "bias", "beta", "moving_mean", "gamma":
                    parameter.value = generator.normal(shape: parameter.shape, mean: parameter.name == "gamma" ? 1 : 0, standardDeviation: 0.1)
                default: break
                }
                guard parameter.name != "bias" else { continue }
                encode(parameter, as: Encoding.allCases[next % Encoding.allCases.count], key: key, state: &state, generator: &generator)
                next += 1
            }
        }
        return (model, state)
    }

    static func encode(_ parameter: Parameter, as encoding: Encoding, key: String, state: inout CompressionState,
                       generator: inout RandomGenerator) {
        if encoding == .sparseKMeans || encoding == .sparseFloat {
            parameter.mask = Tensor(shape: parameter.shape, scalars: (0..<parameter.count).map { _ in generator.nextInt(below: 3) == 0 ? 1 : 0 })
            parameter.applyMask()
        }
        switch encoding {
        case .sparseKMeans, .kmeans:
            let centroids = (0..<12).map { Float($0 - 6) / 16 }
            let mask = parameter.mask?.scalars
            parameter.codebook = Codebook(assignments: (0..<parameter.count).map { mask?[$0] == 0 ? -1 : Int32(generator.nextInt(below: 12)) },
                                          centroids: centroids)
            parameter.value = Tensor(shape: parameter.shape, scalars: parameter.codebook!.assignments.map { $0 < 0 ? 0 : centroids[Int($0)] })
            state.quantization[key] = .weightSharing(bits: 4)
        case .int8PerChannel, .int8:
            let quantized = Int8QuantizedTensor(quantizing: parameter.value, symmetric: encoding == .int8,
                                                axis: encoding == .int8 ? nil : parameter.shape.count - 1)
            parameter.value = quantized.dequantized()
            state.quantization[key] = .int8(quantized)
        case .float16:
            parameter.value = Tensor(shape: parameter.shape, scalars: parameter.value.scalars.map { Float16Bits.decode(Float16Bits.encode($0)) })
            state.quantization[key] = .float16
        case .sparseFloat, .float:
            break
        }
    }

    /// A folder with the 1000-image MNIST sample as its test split, and the images as raw floats.
    static func data(in folder: URL) throws -> (folder: String, images: String) {
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for (kind, rank) in [("images", 3), ("labels", 1)] {
            for split in ["train", "t10k"] {
                try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("fixtures/mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                                                 to: data.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
            }
        }
        let test = try Dataset(idxImages: data.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                               labels: data.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let images = folder.appendingPathComponent("images.f32")
        try test.images.scalars.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: images)
        return (data.path, images.path)
    }

    /// Runs a program to its end; returns its status, stdout and stderr.
    static func run(_ executable: String, _ arguments: [String], in folder: URL) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile(), errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The system C compiler: $CC, else `cc`, else the toolchain's `clang`.
    static func compiler() -> String {
        if let compiler = ProcessInfo.processInfo.environment["CC"], !compiler.isEmpty { return compiler }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        let hasCC = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/cc") }
        return hasCC ? "cc" : "clang"
    }

    /// The runtime's C files, as exported under runtime/.
    static func runtimeSources() throws -> [String] {
        let runtime = repositoryRoot.appendingPathComponent("Sources/DCZRuntime")
        return try FileManager.default.contentsOfDirectory(atPath: runtime.path).filter { $0.hasSuffix(".c") }.sorted()
    }

    static func floats(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    @Test("the exported C, built with cc, gives compress eval's logits and predictions in both modes",
          arguments: architectures.map(\.name))
    func exportedRuntimeMatchesEval(name: String) throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (model, state) = try Self.model(Self.architectures.first { $0.name == name }!.text)
        let file = folder.appendingPathComponent("\(name).dcz").path
        try saveCompressedModel(model, name: name, state: state, to: file)
        let data = try Self.data(in: folder)
        let eval = try runCompress(["eval", file, "--data", data.folder, "--logits", folder.appendingPathComponent("swift.f32").path])
        #expect(eval.status == 0, "\(eval.stderr)")

        let export = folder.appendingPathComponent("c")
        let exported = try runCompress(["export", file, "--c", export.path])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.hasPrefix("wrote \(export.path): model.h, model.c"))
        let build = try Self.run(Self.compiler(), ["-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-Werror", "-Iruntime/include", "main.c", "model.c"]
                                 + Self.runtimeSources().map { "runtime/\($0)" } + ["-lm", "-o", "classify"], in: export)
        try #require(build.status == 0, "\(build.stderr)")

        let expected = try Self.floats(folder.appendingPathComponent("swift.f32").path)
        #expect(expected.count == 1000 * 10)
        for mode in [[], ["--decoded"]] {
            let logits = folder.appendingPathComponent("c\(mode.count).f32").path
            let result = try Self.run("./classify", mode + ["--logits", logits, data.images], in: export)
            #expect(result.status == 0, "\(result.stderr)")
            let got = try Self.floats(logits)
            #expect(got.count == expected.count)
            let largest = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(largest <= 1e-4, "mode \(mode): logits differ by \(largest)")
            let predictions = result.stdout.split(separator: "\n").map { Int($0)! }
            let reference = (0..<1000).map { image in (0..<10).max { expected[image * 10 + $0] < expected[image * 10 + $1] }! }
            #expect(predictions == reference, "mode \(mode)")
        }
    }

    @Test("the exported runtime is the package's C runtime, byte for byte (Scripts/embed-runtime.sh was run)")
    func embeddedRuntimeIsUpToDate() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("m.dcz").path
        try saveCompressedModel(try Self.model(Self.architectures[1].text).0, name: "m", to: file)
        let result = try runCompress(["export", file, "--c", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let runtime = repositoryRoot.appendingPathComponent("Sources/DCZRuntime")
        var pairs = [("main.c", "example/main.c"), ("runtime/include/dcz_runtime.h", "include/dcz_runtime.h")]
        pairs += try FileManager.default.contentsOfDirectory(atPath: runtime.path).filter { $0.hasSuffix(".c") || $0.hasSuffix(".h") }
            .map { ("runtime/\($0)", $0) }
        for (exported, source) in pairs {
            let written = try String(contentsOf: folder.appendingPathComponent(exported), encoding: .utf8)
            let original = try String(contentsOf: runtime.appendingPathComponent(source), encoding: .utf8)
            #expect(written == original, "\(exported) differs from Sources/DCZRuntime/\(source): run Scripts/embed-runtime.sh")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("runtime").path).count == pairs.count - 1)
    }

    @Test("a file that is not a .dcz exits 1 with one line naming it")
    func refusesOtherFiles() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = repositoryRoot.appendingPathComponent("fixtures/tiny-mlp.h5").path
        let result = try runCompress(["export", input, "--c", folder.appendingPathComponent("c").path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains(input) && lines[0].contains("compressed model"), "\(result.stderr)")
    }
}
