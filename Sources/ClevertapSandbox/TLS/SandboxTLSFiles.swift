import Foundation
import NIOSSL

/// The PEM files that make the sandbox serve HTTPS instead of HTTP.
///
/// ```swift
/// var configuration = SandboxConfiguration(accounts: [account])
/// configuration.tls = SandboxTLSFiles(certificatePath: "server.pem", privateKeyPath: "server.key")
/// let server = try await SandboxServer.start(configuration)  // server.baseURL is https://127.0.0.1:PORT
/// ```
public struct SandboxTLSFiles: Sendable, Hashable {
    /// Which of the two files a problem is about.
    public enum Role: String, Sendable, Hashable, CustomStringConvertible {
        /// The certificate chain, leaf first (`--tls-cert`, `"tls_cert"`).
        case certificate
        /// The leaf certificate's private key (`--tls-key`, `"tls_key"`).
        case privateKey

        public var description: String {
            switch self {
            case .certificate: "TLS certificate"
            case .privateKey: "TLS private key"
            }
        }
    }

    /// The largest file read: a certificate chain or key is a few kilobytes.
    static let maxFileBytes = 1 << 20

    /// PEM certificate chain, the server's certificate first.
    public var certificatePath: String
    /// PEM private key of the first certificate (PKCS#8, RSA or EC, unencrypted).
    public var privateKeyPath: String

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }

    /// Both files or neither: a lone certificate or key is an error naming the missing one.
    public init?(certificatePath: String?, privateKeyPath: String?) throws(SandboxConfigurationError) {
        switch (certificatePath, privateKeyPath) {
        case (nil, nil): return nil
        case (let certificate?, let key?): self.init(certificatePath: certificate, privateKeyPath: key)
        case (nil, _?): throw .incompleteTLS(missing: .certificate)
        case (_?, nil): throw .incompleteTLS(missing: .privateKey)
        }
    }

    /// The server's TLS setup: HTTP/1.1 over TLS 1.2 or later, no client certificates.
    ///
    /// Reads and checks both files; throws when one is missing, unreadable, not
    /// PEM, or when the key does not belong to the certificate.
    func makeServerConfiguration() throws(SandboxConfigurationError) -> TLSConfiguration {
        let certificateBytes = try Self.read(certificatePath, role: .certificate)
        let keyBytes = try Self.read(privateKeyPath, role: .privateKey)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
        } catch {
            throw .tlsFileNotPEM(role: .certificate, path: certificatePath)
        }
        guard !chain.isEmpty else { throw .tlsFileNotPEM(role: .certificate, path: certificatePath) }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw .tlsFileNotPEM(role: .privateKey, path: privateKeyPath)
        }

        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        // Closing a connection waits this long for the client's close_notify; a
        // client that already left never sends one, and NIO's 5 s default then
        // held every sandbox shutdown (graceful shutdown closes idle connections).
        configuration.shutdownTimeout = .milliseconds(200)
        // BoringSSL compares the key with the leaf certificate when a context is
        // made: the mismatch is reported here rather than at the first handshake.
        // Both files parsed, so a mismatch is what is left to fail here.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tlsKeyMismatch(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        }
        return configuration
    }

    private static func read(_ path: String, role: Role) throws(SandboxConfigurationError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw .tlsFileNotFound(role: role, path: path) }
        // Checked on the file a symbolic link leads to, before reading: the size bound holds.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let attributes = try? FileManager.default.attributesOfItem(atPath: target)
        if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular {
            throw .tlsFileUnreadable(role: role, path: path, reason: "not a regular file")
        }
        if let size = (attributes?[.size] as? NSNumber)?.intValue, size > maxFileBytes {
            throw .tlsFileUnreadable(role: role, path: path, reason: "larger than \(maxFileBytes) bytes")
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: target)))
        } catch {
            throw .tlsFileUnreadable(role: role, path: path, reason: error.localizedDescription)
        }
    }
}
