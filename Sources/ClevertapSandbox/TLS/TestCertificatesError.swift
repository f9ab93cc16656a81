/// Why ``TestCertificates`` could not make its files.
public enum TestCertificatesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `openssl` executable on `PATH`.
    case opensslNotFound
    /// An `openssl` run that exited non-zero, with its arguments and stderr.
    case opensslFailed(arguments: [String], status: Int32, stderr: String)
    /// The temporary directory could not be created.
    case cannotCreateDirectory(path: String)

    public var description: String {
        switch self {
        case .opensslNotFound:
            "no openssl executable on PATH (install the openssl package)"
        case .opensslFailed(let arguments, let status, let stderr):
            "openssl \(arguments.joined(separator: " ")) exited with \(status): \(stderr)"
        case .cannotCreateDirectory(let path):
            "cannot create directory \"\(path)\""
        }
    }
}
