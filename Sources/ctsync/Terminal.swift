import ArgumentParser
import CTSyncSession
import CTSyncSpec
import Foundation

/// Where the CLI writes: results to stdout, diagnostics and progress to stderr.
enum Terminal {
    static func output(_ text: String, newline: Bool = true) {
        write(text + (newline ? "\n" : ""), to: STDOUT_FILENO)
    }

    static func error(_ text: String, newline: Bool = true) {
        write(text + (newline ? "\n" : ""), to: STDERR_FILENO)
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
