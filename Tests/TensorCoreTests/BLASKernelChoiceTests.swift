import Testing
import TensorCore

@Suite("BLAS kernel choice")
struct BLASKernelChoiceTests {
    static let sse = CPU(vendor: "GenuineIntel")
    static let haswell = CPU(vendor: "GenuineIntel", avx: true, fma: true, avx2: true)
    static let zen2 = CPU(vendor: "AuthenticAMD", family: 23, model: 49, avx: true, fma: true, avx2: true)
    static let skylakeX = CPU(vendor: "GenuineIntel", avx: true, fma: true, avx2: true,
                              avx512f: true, avx512bw: true, avx512dq: true, avx512vl: true, avx512cd: true)
    /// Family 6, model 207 (Emerald Rapids): Debian's OpenBLAS 0.3.21 runs Prescott there.
    static let emeraldRapids: CPU = {
        var cpu = skylakeX
        cpu.family = 6; cpu.model = 207; cpu.avx512bf16 = true; cpu.avx512fp16 = true
        return cpu
    }()

    @Test("a generic fallback on an AVX-512 or AVX2 CPU is replaced by the best kernels")
    func fallbackReplaced() {
        let xeon = BLASKernelChoice.decide(running: "Prescott", userSetting: nil, reproducible: false, cpu: Self.emeraldRapids)
        #expect(xeon.kernels == "Cooperlake" && xeon.needsSwitch && xeon.warning == nil && xeon.failure == nil)
        #expect(xeon.reason.contains("OpenBLAS detected Prescott"))
        let skylake = BLASKernelChoice.decide(running: "Prescott", userSetting: nil, reproducible: false, cpu: Self.skylakeX)
        #expect(skylake.kernels == "SkylakeX" && skylake.needsSwitch)
        let avx512AsHaswell = BLASKernelChoice.decide(running: "Haswell", userSetting: nil, reproducible: false, cpu: Self.skylakeX)
        #expect(avx512AsHaswell.kernels == "SkylakeX")
        let intel = BLASKernelChoice.decide(running: "Sandybridge", userSetting: nil, reproducible: false, cpu: Self.haswell)
        #expect(intel.kernels == "Haswell" && intel.needsSwitch)
        let amd = BLASKernelChoice.decide(running: "Prescott", userSetting: nil, reproducible: false, cpu: Self.zen2)
        #expect(amd.kernels == "Zen" && amd.needsSwitch)
    }

    @Test("a detection as good as the CPU allows is kept")
    func detectionKept() {
        for (running, cpu) in [("Zen", Self.zen2), ("Haswell", Self.zen2), ("SkylakeX", Self.skylakeX),
                               ("Cooperlake", Self.emeraldRapids), ("Prescott", Self.sse), ("Nehalem", Self.sse)] {
            let choice = BLASKernelChoice.decide(running: running, userSetting: nil, reproducible: false, cpu: cpu)
            #expect(choice.kernels == running && !choice.needsSwitch && choice.reason == "detected by OpenBLAS", "\(running)")
        }
    }

    @Test("a user's OPENBLAS_CORETYPE is respected unless the CPU cannot run it")
    func userSetting() {
        let prescott = BLASKernelChoice.decide(running: "Prescott", userSetting: "Prescott", reproducible: false, cpu: Self.emeraldRapids)
        #expect(prescott.kernels == "Prescott" && !prescott.needsSwitch && prescott.warning == nil)
        #expect(prescott.reason == "set by OPENBLAS_CORETYPE")
        let lowercase = BLASKernelChoice.decide(running: "Haswell", userSetting: "haswell", reproducible: false, cpu: Self.zen2)
        #expect(!lowercase.needsSwitch && lowercase.warning == nil)
        let unknown = BLASKernelChoice.decide(running: "Prescott", userSetting: "Haswel", reproducible: false, cpu: Self.zen2)
        #expect(unknown.kernels == "Prescott" && !unknown.needsSwitch)
        #expect(unknown.warning?.contains("OpenBLAS runs Prescott for OPENBLAS_CORETYPE=Haswel") == true)
        let tooWide = BLASKernelChoice.decide(running: "SkylakeX", userSetting: "SkylakeX", reproducible: false, cpu: Self.zen2)
        #expect(tooWide.kernels == "Zen" && tooWide.needsSwitch)
        #expect(tooWide.warning?.contains("needs AVX-512, which this CPU lacks") == true)
    }

    @Test("reproducible mode pins Haswell over detection and user setting, and refuses CPUs without AVX2")
    func reproducible() {
        for (running, setting, cpu) in [("Zen", nil, Self.zen2), ("Cooperlake", nil, Self.emeraldRapids),
                                         ("Prescott", "Prescott", Self.skylakeX), ("Haswell", nil, Self.haswell)] as [(String, String?, CPU)] {
            let choice = BLASKernelChoice.decide(running: running, userSetting: setting, reproducible: true, cpu: cpu)
            #expect(choice.kernels == "Haswell" && choice.needsSwitch == (running != "Haswell") && choice.failure == nil)
            #expect(choice.reason.hasPrefix("pinned by reproducible mode"))
        }
        let old = BLASKernelChoice.decide(running: "Nehalem", userSetting: nil, reproducible: true, cpu: Self.sse)
        #expect(old.failure?.contains("need AVX2 and FMA") == true)
    }

    @Test("kernel sets map to the vector level they need")
    func levels() {
        #expect(BLASKernelChoice.vectorLevel(ofKernels: "prescott") == .sse)
        #expect(BLASKernelChoice.vectorLevel(ofKernels: "Sandybridge") == .avx)
        #expect(BLASKernelChoice.vectorLevel(ofKernels: "ZEN") == .avx2)
        #expect(BLASKernelChoice.vectorLevel(ofKernels: "Cooperlake") == .avx512)
        #expect(BLASKernelChoice.vectorLevel(ofKernels: "Power10") == nil)
        #expect(Self.emeraldRapids.vectorLevel == .avx512 && Self.zen2.vectorLevel == .avx2 && Self.sse.vectorLevel == .sse)
    }
}
