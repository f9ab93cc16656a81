/// A sandbox configuration the server refuses to start with (or to switch to).
public enum SandboxConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a `ID:PASSCODE:REGION` triple.
    case invalidAccount(String)
    /// A region other than in1, sg1, us1, aps3, mec1, eu1, sk1.
    case unknownRegion(String)
    /// The same account ID configured twice.
    case duplicateAccount(String)
    /// No account configured.
    case noAccounts
    /// A fault probability outside `0...1`.
    case invalidProbability(name: String, value: Double)
    /// Fault probabilities adding up to more than 1.
    case probabilitiesExceedOne(Double)
    /// A negative duration or count.
    case negativeValue(name: String, value: Int)
    /// An unreadable configuration file or fault request.
    case invalidJSON(String)
    /// A TLS certificate without a key, or a key without a certificate.
    case incompleteTLS(missing: SandboxTLSFiles.Role)
    /// A TLS file that does not exist.
    case tlsFileNotFound(role: SandboxTLSFiles.Role, path: String)
    /// A TLS file that exists but cannot be read (permissions, a directory, too large).
    case tlsFileUnreadable(role: SandboxTLSFiles.Role, path: String, reason: String)
    /// A TLS file with no PEM certificate, or no PEM private key, in it.
    case tlsFileNotPEM(role: SandboxTLSFiles.Role, path: String)
    /// A private key that does not belong to the certificate.
    case tlsKeyMismatch(certificatePath: String, privateKeyPath: String)

    public var description: String {
        switch self {
        case .invalidAccount(let spec):
            "account \"\(spec)\" is not ID:PASSCODE:REGION"
        case .unknownRegion(let region):
            "unknown region \"\(region)\" (expected one of \(SandboxRegion.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .duplicateAccount(let id):
            "account \"\(id)\" is configured twice"
        case .noAccounts:
            "no account configured: pass --account ID:PASSCODE:REGION or --config FILE"
        case .invalidProbability(let name, let value):
            "\(name) is \(value); a probability must be between 0 and 1"
        case .probabilitiesExceedOne(let total):
            "fault probabilities add up to \(total); at most 1 is possible"
        case .negativeValue(let name, let value):
            "\(name) is \(value); it must not be negative"
        case .invalidJSON(let detail):
            "invalid JSON: \(detail)"
        case .incompleteTLS(.certificate):
            "a TLS private key needs its certificate: pass --tls-cert (\"tls_cert\") too"
        case .incompleteTLS(.privateKey):
            "a TLS certificate needs its private key: pass --tls-key (\"tls_key\") too"
        case .tlsFileNotFound(let role, let path):
            "\(role) file \"\(path)\" does not exist"
        case .tlsFileUnreadable(let role, let path, let reason):
            "cannot read \(role) file \"\(path)\": \(reason)"
        case .tlsFileNotPEM(.certificate, let path):
            "TLS certificate file \"\(path)\" holds no PEM certificate"
        case .tlsFileNotPEM(.privateKey, let path):
            "TLS private key file \"\(path)\" is not a PEM private key"
        case .tlsKeyMismatch(let certificatePath, let privateKeyPath):
            "TLS private key \"\(privateKeyPath)\" does not belong to certificate \"\(certificatePath)\""
        }
    }
}
