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
