import Foundation
import Testing
import TensorCore

/// `compress doctor --json`, parsed.
private struct Doctor {
    var json: [String: Any]
    var blas: [String: Any] { json["blas"] as? [String: Any] ?? [:] }
    var kernels: String { blas["kernels"] as? String ?? "" }
    var detected: String { blas["detectedKernels"] as? String ?? "" }
    var best: String? { blas["bestForCPU"] as? String }
    var passed: Bool { (json["selfCheck"] as? [String: Any])?["passed"] as? Bool ?? false }

    init(_ arguments: [String] = [], environment: [String: String?] = [:]) throws {
        let result = try runCompress(arguments + ["doctor", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }
}

/// Runs with the machine's own kernel choice, whatever the session running the tests has set.
private let unset: [String: String?] = ["OPENBLAS_CORETYPE": nil, "COMPRESS_REPRODUCIBLE": nil,
                                        "COMPRESS_BLAS_SIMULATE_FALLBACK": nil]

@Suite("compress doctor and the BLAS kernel choice")
struct DoctorCommandTests {
    @Test("on an AVX2 or AVX-512 CPU the tool runs kernels of the CPU's vector level, not a generic set")
    func noGenericKernels() throws {
        let doctor = try Doctor(environment: unset)
        #expect(doctor.passed)
        guard let best = doctor.best else { return }   // an SSE-only CPU: the library's choice stands
        #expect(BLASKernelChoice.vectorLevel(ofKernels: doctor.kernels) == BLASKernelChoice.vectorLevel(ofKernels: best))
    }

    @Test("when OpenBLAS falls back to Prescott (simulated), the tool switches to the best kernels")
    func simulatedFallback() throws {
        var environment = unset
        environment["COMPRESS_BLAS_SIMULATE_FALLBACK"] = "1"
        let doctor = try Doctor(environment: environment)
        #expect(doctor.detected == "Prescott")
        #expect(doctor.passed)
        if let best = doctor.best {
            #expect(doctor.kernels == best)
            #expect((doctor.blas["reason"] as? String)?.hasPrefix("chosen by compress") == true)
        }
    }

    @Test("every kernel set this CPU can run gives correct products and SVDs, and a user's choice is kept")
    func everyKernelSet() throws {
        let cpuLevel = try Doctor(environment: unset).best.flatMap(BLASKernelChoice.vectorLevel(ofKernels:)) ?? .sse
        let sets = ["Prescott", "Core2", "Nehalem", "Sandybridge", "Haswell", "Zen", "SkylakeX", "Cooperlake"]
            .filter { (BLASKernelChoice.vectorLevel(ofKernels: $0) ?? .avx512) <= cpuLevel }
        #expect(sets.contains("Prescott"))
        for kernels in sets {
            var environment = unset
            environment["OPENBLAS_CORETYPE"] = kernels
            let doctor = try Doctor(environment: environment)
            #expect(doctor.kernels == kernels)
            #expect(doctor.passed, "\(kernels): \(doctor.json["selfCheck"] ?? "")")
        }
    }

    @Test("reproducible mode pins Haswell kernels, one OpenBLAS thread and two NN parts, or refuses the CPU")
    func reproducibleMode() throws {
        let level = try Doctor(environment: unset).best.flatMap(BLASKernelChoice.vectorLevel(ofKernels:)) ?? .sse
        guard level >= .avx2 else {
            let refused = try runCompress(["--reproducible", "doctor"], environment: unset)
            #expect(refused.status == 1 && refused.stderr.contains("need AVX2 and FMA"))
            return
        }
        var environment = unset
        environment["OPENBLAS_CORETYPE"] = "Prescott"
        for doctor in [try Doctor(["--reproducible"], environment: unset), try Doctor(["--reproducible"], environment: environment)] {
            #expect(doctor.kernels == "Haswell")
            #expect(doctor.blas["threads"] as? Int == 1 && doctor.json["nnThreads"] as? Int == 2)
            #expect(doctor.json["reproducible"] as? Bool == true)
        }
    }

    @Test("reproducible training gives the same bytes whatever kernels and threads the machine would pick")
    func reproducibleTraining() throws {
        let level = try Doctor(environment: unset).best.flatMap(BLASKernelChoice.vectorLevel(ofKernels:)) ?? .sse
        guard level >= .avx2 else { return }   // refused there, tested above
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixtures = repositoryRoot.appendingPathComponent("fixtures")
        for split in ["train", "t10k"] {
            for (kind, rank) in [("images", 3), ("labels", 1)] {
                try FileManager.default.copyItem(at: fixtures.appendingPathComponent("mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                                                 to: folder.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
            }
        }
        func train(_ name: String, reproducible: Bool, _ environment: [String: String?]) throws -> Data {
            let run = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            let path = run.appendingPathComponent("model.h5").path   // the model is named after its file
            let result = try runCompress((reproducible ? ["--reproducible"] : []) +
                                         ["train", "--arch", "lenet300", "--data", folder.path, "--epochs", "1",
                                          "--batch-size", "50", "--seed", "5", "-o", path],
                                         environment: unset.merging(environment) { $1 })
            #expect(result.status == 0, "\(result.stderr)")
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let here = try train("here", reproducible: true, [:])
        let fallback = try train("fallback", reproducible: true, ["COMPRESS_BLAS_SIMULATE_FALLBACK": "1", "NN_NUM_THREADS": "1"])
        let userKernels = try train("user", reproducible: true, ["OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_NUM_THREADS": "2"])
        #expect(here == fallback)
        #expect(here == userKernels)
        // Without the mode, other kernels give other bytes: what the mode is there to prevent.
        let prescott = try train("prescott", reproducible: false, ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(prescott != here)
    }
}
