import Foundation

// `bench <benchmark> [options]`: one case per benchmark, each implemented in its own file.

let usage = """
    usage: bench <benchmark> [options]

    benchmarks:
      sgemm [--sizes 1024,2048] [--repeats 5]
          matmul of random square Float32 matrices through TensorCore (OpenBLAS sgemm);
          warms up once, then prints the best of --repeats runs per size
      kmeans [--sizes 1000000,10000000] [--k 256] [--seed 1] [--repeats 3] [--out DIR]
          one-dimensional k-means (weight sharing) of normal float32 values from linear initial
          centroids: best time of --repeats runs, objective, iterations; --out writes the values
          and initial centroids as raw float32 files for a comparison run (Scripts/bench-kmeans.sh)
      svd --dir DIR [--rank 256] [--oversampling 10] [--power-iterations 2] [--repeats 2] [--full-tall 0|1]
          full SVD (sgesdd) of DIR/square.f32 and rank-k randomized SVD of DIR/tall.f32 with its
          error against the optimal rank-k error from DIR/tall-spectrum.f64 (Scripts/bench-svd.sh);
          --full-tall 1 also decomposes DIR/tall.f32 in full
      huffman [--symbols 16000000] [--repeats 5] [--file SYMBOLS [--alphabet A] [--context-symbol S]]
          table-driven Huffman encode and decode throughput (symbols/s, MB/s) on 6-bit
          centroid-index-like symbols, or on --file (raw, one byte per symbol) repeated, whose
          stream size in the compressed model format is printed too (Scripts/bench-huffman.sh)
      train-steps --model INIT.h5 [--data mnist] [--batch-size 64] [--steps 200] [--epochs 1]
                  [--seed S --order-out FILE]
          trains from the model's weights on the training split, in file order or shuffled as
          compress train shuffles for --seed (the order written to FILE as int32), with compress
          train's default optimizer and schedule (for --epochs), printing each step's loss
          (Scripts/check-training-parity.sh)
      layers [--batch 16] [--size 224] [--alpha 1.0] [--repeats 3] [--filter TEXT] [--training 0|1] [--list 1]
          milliseconds of inference and of one forward + backward pass for each layer shape of
          MobileNetV2 (width --alpha) and ResNet50 at --size, with totals weighted by how often each
          network runs it; --list 1 prints the shapes for Scripts/bench_layers_torch.py instead
          (Scripts/bench-layers.sh)
    """

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "sgemm":
        try SGEMMBenchmark(options: Options(Array(arguments.dropFirst()), allowed: ["sizes", "repeats"])).run()
    case "kmeans":
        try KMeansBenchmark(options: Options(Array(arguments.dropFirst()), allowed: ["sizes", "k", "seed", "repeats", "out"])).run()
    case "svd":
        try SVDBenchmark(options: Options(Array(arguments.dropFirst()),
                                          allowed: ["dir", "rank", "oversampling", "power-iterations", "repeats", "full-tall"])).run()
    case "huffman":
        try HuffmanBenchmark(options: Options(Array(arguments.dropFirst()),
                                              allowed: ["symbols", "repeats", "file", "alphabet", "context-symbol"])).run()
    case "train-steps":
        try TrainingStepsCheck(options: Options(Array(arguments.dropFirst()),
                                                allowed: ["model", "data", "batch-size", "steps", "epochs", "seed", "order-out"])).run()
    case "layers":
        try LayerBenchmark(options: Options(Array(arguments.dropFirst()),
                                            allowed: ["batch", "size", "alpha", "repeats", "filter", "training", "list"])).run()
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
