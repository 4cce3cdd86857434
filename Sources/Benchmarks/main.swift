import Foundation

// `bench <benchmark> [options]`: one case per benchmark, each implemented in its own file.

let usage = """
    usage: bench <benchmark> [options]

    benchmarks:
      sgemm [--sizes 1024,2048] [--repeats 5]
          matmul of random square Float32 matrices through TensorCore (OpenBLAS sgemm);
          warms up once, then prints the best of --repeats runs per size
    """

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "sgemm":
        try SGEMMBenchmark(options: Options(Array(arguments.dropFirst()), allowed: ["sizes", "repeats"])).run()
    case "-h", "--help":
        print(usage)
    case let name?:
        throw UsageError("unknown benchmark '\(name)'")
    case nil:
        throw UsageError("missing benchmark name")
    }
} catch {
    FileHandle.standardError.write(Data("bench: \(error)\n\n\(usage)\n".utf8))
    exit(2)
}
