import Dispatch
import Foundation

/// The temporary files and folders this process is writing: removed when SIGINT, SIGTERM or
/// SIGHUP ends it, and by a later run when the process that wrote them is gone.
///
/// Names follow one pattern, `.BASE.PID.RANDOM.tmp`, beside the file they become; only names of
/// exactly that pattern are ever removed by ``removeStale(in:base:)``.
///
/// The first ``register(_:)`` installs the signal handlers. They run on a dispatch queue (not in
/// signal context), remove what is registered, then restore the default action and raise the
/// signal again, so the exit status still tells the signal. A signal ignored when the process
/// started (as for background jobs) stays ignored.
public enum TemporaryFiles {
    private static let registry = Registry()

    /// A fresh temporary name beside `target`'s final name `base`: `.BASE.PID.RANDOM.tmp`.
    public static func name(for base: String) -> String {
        ".\(base).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp"
    }

    /// Removes `path` (a file or a whole folder) if a signal ends the process before ``unregister(_:)``.
    public static func register(_ path: String) {
        installHandlers
        registry.insert(path)
    }

    /// `path` was renamed into place or removed: a signal leaves it alone.
    public static func unregister(_ path: String) {
        registry.remove(path)
    }

    /// Removes from `folder` the temporary files and folders named `.BASE.PID.RANDOM.tmp` whose
    /// process is no longer running, left by a run that was killed. With `base`, only those that
    /// were to become `base`.
    public static func removeStale(in folder: String, base: String? = nil) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names {
            guard let owner = owningProcess(ofTemporaryName: name, base: base), !isRunning(owner) else { continue }
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: folder).appendingPathComponent(name).path)
        }
    }

    /// The PID in `.BASE.PID.RANDOM.tmp`, when `name` has exactly that form (and that base, if given).
    static func owningProcess(ofTemporaryName name: String, base: String?) -> Int32? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        var parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, let random = parts.popLast(), let pid = parts.popLast(),
              UInt32(random) != nil, let owner = Int32(pid), owner > 0 else { return nil }
        let named = parts.joined(separator: ".")
        guard !named.isEmpty, base == nil || named == base else { return nil }
        return owner
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    private static let installHandlers: Void = {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            let previous = signal(signalNumber, SIG_IGN)
            guard unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) else { continue }
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                registry.removeAll()
                signal(signalNumber, SIG_DFL)
                // Dispatch's threads (and a parent's mask) may block the signal: unblock it here.
                var only = sigset_t()
                sigemptyset(&only)
                sigaddset(&only, signalNumber)
                pthread_sigmask(SIG_UNBLOCK, &only, nil)
                raise(signalNumber)
            }
            source.resume()
            registry.keep(source)
        }
    }()

    /// The registered paths, shared by the writing threads and the signal queue.
    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var paths: Set<String> = []
        private var sources: [DispatchSourceSignal] = []

        func insert(_ path: String) { lock.withLock { _ = paths.insert(path) } }
        func remove(_ path: String) { lock.withLock { _ = paths.remove(path) } }
        func keep(_ source: DispatchSourceSignal) { lock.withLock { sources.append(source) } }

        func removeAll() {
            lock.withLock {
                for path in paths { try? FileManager.default.removeItem(atPath: path) }
                paths.removeAll()
            }
        }
    }
}
