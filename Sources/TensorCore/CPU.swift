import CPUFeatures

/// The processor this process runs on, as CPUID and XGETBV describe it.
///
/// An instruction set counts as available only when the operating system also saves its
/// registers, so `avx512f` is false on a CPU whose hypervisor or kernel leaves AVX-512 off.
/// On other architectures than x86-64 every flag is false and the strings are empty.
public struct CPU: Sendable, Equatable {
    public var vendor: String
    public var brand: String
    public var family: Int
    public var model: Int
    public var stepping: Int
    public var avx: Bool
    public var fma: Bool
    public var avx2: Bool
    public var avx512f: Bool
    public var avx512bw: Bool
    public var avx512dq: Bool
    public var avx512vl: Bool
    public var avx512cd: Bool
    public var avx512bf16: Bool
    public var avx512fp16: Bool

    /// A CPU with the given features and no identity, for tests and what-if decisions.
    public init(vendor: String = "", brand: String = "", family: Int = 0, model: Int = 0, stepping: Int = 0,
                avx: Bool = false, fma: Bool = false, avx2: Bool = false,
                avx512f: Bool = false, avx512bw: Bool = false, avx512dq: Bool = false, avx512vl: Bool = false,
                avx512cd: Bool = false, avx512bf16: Bool = false, avx512fp16: Bool = false) {
        self.vendor = vendor; self.brand = brand
        self.family = family; self.model = model; self.stepping = stepping
        self.avx = avx; self.fma = fma; self.avx2 = avx2
        self.avx512f = avx512f; self.avx512bw = avx512bw; self.avx512dq = avx512dq; self.avx512vl = avx512vl
        self.avx512cd = avx512cd; self.avx512bf16 = avx512bf16; self.avx512fp16 = avx512fp16
    }

    /// The CPU this process runs on.
    public static let current: CPU = {
        var raw = compress_cpu_features()
        compress_read_cpu_features(&raw)
        return CPU(vendor: string(raw.vendor), brand: string(raw.brand).trimmingSpaces,
                   family: Int(raw.family), model: Int(raw.model), stepping: Int(raw.stepping),
                   avx: raw.avx, fma: raw.fma, avx2: raw.avx2,
                   avx512f: raw.avx512f, avx512bw: raw.avx512bw, avx512dq: raw.avx512dq, avx512vl: raw.avx512vl,
                   avx512cd: raw.avx512cd, avx512bf16: raw.avx512bf16, avx512fp16: raw.avx512fp16)
    }()

    /// The widest vector instruction set the CPU and operating system both support.
    public var vectorLevel: VectorLevel {
        if avx512f && avx512bw && avx512dq && avx512vl && avx512cd { return .avx512 }
        if avx2 && fma { return .avx2 }
        if avx { return .avx }
        return .sse
    }

    /// `AVX2 FMA AVX512F ...`: the flags that matter for kernel choice, in that order.
    public var featureList: String {
        let flags: [(String, Bool)] = [("AVX", avx), ("FMA", fma), ("AVX2", avx2), ("AVX512F", avx512f),
                                       ("AVX512BW", avx512bw), ("AVX512DQ", avx512dq), ("AVX512VL", avx512vl),
                                       ("AVX512CD", avx512cd), ("AVX512_BF16", avx512bf16), ("AVX512_FP16", avx512fp16)]
        let present = flags.filter(\.1).map(\.0)
        return present.isEmpty ? "SSE only" : present.joined(separator: " ")
    }
}

/// Vector instruction set levels, in the order kernels built for them can run.
public enum VectorLevel: Int, Comparable, Sendable, CustomStringConvertible {
    case sse, avx, avx2, avx512

    public static func < (a: VectorLevel, b: VectorLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2+FMA"
        case .avx512: "AVX-512"
        }
    }
}

private func string<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { bytes in
        String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
}

private extension String {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
