import Foundation

/// Shows the progress of a long stage on stderr: a redrawn bar on a terminal, plain lines otherwise.
///
/// On a terminal `update` redraws one line (`[#####.....] 312/938 ...`); `finish` ends it with a
/// newline. Elsewhere (logs, CI) `update` prints nothing and `finish` prints its line once, so
/// logs stay short.
public final class ProgressDisplay {
    private let isTerminal: Bool
    private let width = 30
    private var lastDraw: UInt64 = 0

    /// A display on stderr; `isTerminal` defaults to whether stderr is a terminal.
    public init(isTerminal: Bool = isatty(2) != 0) {
        self.isTerminal = isTerminal
    }

    /// Redraws the bar for `done` of `total` with a trailing status text (terminal only, at most 10 times a second).
    public func update(done: Int, total: Int, status: String) {
        guard isTerminal else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard done == total || now - lastDraw > 100_000_000 else { return }
        lastDraw = now
        let filled = total > 0 ? min(width, done * width / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        write("\r\u{1B}[2K[\(bar)] \(done)/\(total) \(status)")
    }

    /// Ends the current item with a final line.
    public func finish(_ line: String) {
        write(isTerminal ? "\r\u{1B}[2K\(line)\n" : "\(line)\n")
    }

    private func write(_ text: String) {
        fflush(nil)  // stdout first, so lines on both streams keep their order
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `125` seconds as `2:05`, `3725` as `1:02:05`.
public func durationText(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let total = Int(seconds.rounded())
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
    return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
}
