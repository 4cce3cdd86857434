/// Which OpenBLAS kernel set to run, decided from what the library detected, what the user
/// asked for and what the CPU supports.
///
/// Debian's OpenBLAS 0.3.21 does not know CPUs newer than it (an Intel Xeon of family 6, model
/// 207, for one) and runs its generic `Prescott` (SSE3) kernels there, four to six times slower
/// than the `SkylakeX` kernels the CPU can run. The rules, in order:
/// 1. Reproducible mode pins `Haswell` (AVX2 + FMA), the one family that gives the same bits on
///    every current x86-64 CPU (Zen runs the same kernels with the same blocking); without AVX2 it
///    is refused.
/// 2. A non-empty `OPENBLAS_CORETYPE` is respected: what the library chose for it runs (with a
///    warning when that is not the set named). A set the CPU cannot run (it would die of an
///    illegal instruction) is replaced by the best supported one, with a warning.
/// 3. Otherwise the detected set is kept unless the CPU supports a wider vector level than it
///    uses; then the best set for the CPU replaces it.
public struct BLASKernelChoice: Equatable, Sendable {
    /// The kernel set to run, as OpenBLAS names it (`OPENBLAS_CORETYPE`).
    public var kernels: String
    /// Whether `kernels` differs from what the library runs now.
    public var needsSwitch: Bool
    /// Why these kernels, for `compress doctor` and benchmark headers.
    public var reason: String
    /// A warning for the user (stderr), when their setting could not be followed.
    public var warning: String?
    /// A refusal: reproducible mode on a CPU that cannot run the pinned kernels.
    public var failure: String?

    /// The kernel set reproducible mode pins on every machine.
    public static let reproducibleKernels = "Haswell"

    /// Decides which kernels to run.
    ///
    /// - Parameters:
    ///   - running: the kernel set the library runs now (`openblas_get_corename()`).
    ///   - userSetting: `OPENBLAS_CORETYPE` as the user set it, nil when unset.
    ///   - reproducible: whether reproducible mode is on.
    ///   - cpu: the CPU's features.
    public static func decide(running: String, userSetting: String?, reproducible: Bool, cpu: CPU) -> BLASKernelChoice {
        let best = bestKernels(for: cpu)
        if reproducible {
            guard cpu.vectorLevel >= .avx2 else {
                return BLASKernelChoice(kernels: running, needsSwitch: false, reason: "",
                                        failure: "reproducible mode runs OpenBLAS's \(reproducibleKernels) kernels, which need AVX2 and FMA; this CPU has \(cpu.featureList)")
            }
            let ignored = userSetting.map { "; OPENBLAS_CORETYPE=\($0) ignored" } ?? ""
            return choose(reproducibleKernels, running: running, reason: "pinned by reproducible mode\(ignored)")
        }
        if let setting = userSetting {
            let level = vectorLevel(ofKernels: setting)
            if let level, level > cpu.vectorLevel {
                return choose(best ?? running, running: running, reason: "best for this CPU",
                              warning: "OPENBLAS_CORETYPE=\(setting) needs \(level), which this CPU lacks (it has \(cpu.featureList)); running \(best ?? running) instead")
            }
            let warning = same(setting, running) ? nil : "OpenBLAS runs \(running) for OPENBLAS_CORETYPE=\(setting)"
            return BLASKernelChoice(kernels: running, needsSwitch: false, reason: "set by OPENBLAS_CORETYPE", warning: warning)
        }
        guard let best, let bestLevel = vectorLevel(ofKernels: best),
              bestLevel > vectorLevel(ofKernels: running) ?? .sse else {
            return BLASKernelChoice(kernels: running, needsSwitch: false, reason: "detected by OpenBLAS")
        }
        return choose(best, running: running, reason: "chosen by compress: OpenBLAS detected \(running) (\(vectorLevel(ofKernels: running) ?? .sse)) on a CPU with \(bestLevel)")
    }

    /// The fastest kernel set of OpenBLAS 0.3.21 the CPU can run, or nil when SSE kernels are all
    /// it can run (then the library's own choice among them stands).
    public static func bestKernels(for cpu: CPU) -> String? {
        switch cpu.vectorLevel {
        case .avx512: cpu.avx512bf16 ? "Cooperlake" : "SkylakeX"
        case .avx2: cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine" ? "Zen" : "Haswell"
        case .avx: "Sandybridge"
        case .sse: nil
        }
    }

    /// The vector level an OpenBLAS x86-64 kernel set needs, nil for a name it does not have.
    public static func vectorLevel(ofKernels name: String) -> VectorLevel? {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": .avx512
        case "haswell", "zen": .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": .avx
        case "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
             "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat": .sse
        default: nil
        }
    }

    private static func choose(_ kernels: String, running: String, reason: String, warning: String? = nil) -> BLASKernelChoice {
        BLASKernelChoice(kernels: kernels, needsSwitch: !same(kernels, running), reason: reason, warning: warning)
    }

    private static func same(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }
}
