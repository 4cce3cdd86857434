import TensorCore

/// The process entry point: takes the global `--reproducible` flag off the command line (it must
/// be known before the first BLAS call, whichever subcommand runs), then runs ``Compress``.
@main
enum Entry {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let options = arguments.prefix { $0 != "--" }
        if options.contains("--reproducible") {
            arguments.removeAll { $0 == "--reproducible" }
            Reproducibility.enable()
        }
        Compress.main(arguments)
    }
}
