import ArgumentParser
import CTSyncSession
import CTSyncSpec
import Foundation
import Synchronization

/// Where the CLI writes: results to stdout, diagnostics and progress to stderr.
///
/// Jobs running at once write from several threads: each call is one `write` under a
/// lock, so lines of different jobs never mix mid-line. On a terminal, stderr may end
/// in live lines (`live`, one per running job) that the next write erases first and
/// the display redraws after it.
enum Terminal {
    static func output(_ text: String, newline: Bool = true) {
        let text = text + (newline ? "\n" : "")
        Lock.shared.stdout.withLock { _ in write(text, to: STDOUT_FILENO) }
    }

    static func error(_ text: String, newline: Bool = true) {
        Lock.shared.stderr.withLock { drawn in
            write(erase(&drawn) + text + (newline ? "\n" : ""), to: STDERR_FILENO)
        }
    }

    /// Replaces the live lines at the bottom of stderr with `lines` (none: erases
    /// them), each cut to the terminal's width; only on a terminal.
    static func live(_ lines: [String]) {
        guard stderrIsTerminal else { return }
        let width = max(20, stderrColumns - 1)
        Lock.shared.stderr.withLock { drawn in
            var text = erase(&drawn)
            for line in lines { text += (line.count > width ? String(line.prefix(width - 1)) + "…" : line) + "\n" }
            drawn = lines.count
            write(text, to: STDERR_FILENO)
        }
    }

    /// The escape sequence that moves up over `drawn` live lines and clears to the end of the screen.
    private static func erase(_ drawn: inout Int) -> String {
        guard drawn > 0 else { return "" }
        defer { drawn = 0 }
        return "\r\u{1B}[\(drawn)A\u{1B}[J"
    }

    /// One lock a stream; stderr's holds how many live lines are drawn.
    private final class Lock: Sendable {
        static let shared = Lock()
        let stdout = Mutex<Void>(())
        let stderr = Mutex<Int>(0)
    }

    /// Columns of the terminal stderr is (80 when it does not say).
    static var stderrColumns: Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    private static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}

extension Terminal {
    /// Runs a command's library work and turns a `SessionError` into its message on
    /// stderr and its exit status: invalid job files print their findings with
    /// source lines, everything else one `ctsync COMMAND: …` line.
    static func reporting(
        command: String, _ body: () async throws(SessionError) -> ExitStatus
    ) async throws -> ExitStatus {
        do {
            return try await body()
        } catch {
            switch error {
            case .invalidSpecs(let errors, let sources):
                Terminal.error(
                    DiagnosticRenderer.text(
                        errors, sources: sources, filesChecked: Set(errors.map(\.mark.file)).count,
                        color: Terminal.stderrIsTerminal),
                    newline: false)
            default:
                Terminal.error("ctsync \(command): \(error.message)")
            }
            throw ExitCode(error.exitStatus.rawValue)
        }
    }
}
