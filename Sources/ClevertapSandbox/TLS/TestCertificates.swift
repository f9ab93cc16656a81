import Foundation

/// A throwaway certificate authority and a server certificate it signed for
/// `127.0.0.1` and `localhost`, made with the `openssl` command in a fresh
/// temporary directory: for HTTPS tests against ``SandboxServer``.
///
/// ```swift
/// try await TestCertificates.with { certificates in
///     var configuration = SandboxConfiguration(accounts: [account])
///     configuration.tls = certificates.sandboxFiles
///     let server = try await SandboxServer.start(configuration)
///     var tls = TLSConfiguration.makeClientConfiguration()
///     tls.trustRoots = .file(certificates.caCertificatePath)
///     // HTTPClient(configuration: .init(tlsConfiguration: tls)) ... \(server.baseURL)
///     try await server.shutdown()
/// }
/// ```
///
/// Keys are EC P-256 (fast to make); certificates are valid for two days.
public struct TestCertificates: Sendable {
    /// The temporary directory holding every file.
    public let directory: String
    /// The CA's certificate (PEM): what a client trusts.
    public let caCertificatePath: String
    /// The server certificate (PEM), `subjectAltName` `IP:127.0.0.1, DNS:localhost`.
    public let certificatePath: String
    /// The server certificate's private key (PEM, PKCS#8).
    public let privateKeyPath: String

    /// The server files as a sandbox TLS configuration.
    public var sandboxFiles: SandboxTLSFiles {
        SandboxTLSFiles(certificatePath: certificatePath, privateKeyPath: privateKeyPath)
    }

    /// Makes a CA and a server certificate in a new temporary directory.
    ///
    /// - Parameter commonName: The CA's name, to tell two sets apart.
    public static func make(commonName: String = "ctsync test CA") async throws(TestCertificatesError)
        -> TestCertificates
    {
        let openssl = try opensslPath()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ctsync-certificates-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: directory)
        }
        let certificates = TestCertificates(
            directory: directory,
            caCertificatePath: directory + "/ca.pem",
            certificatePath: directory + "/server.pem",
            privateKeyPath: directory + "/server.key"
        )
        do {
            try await certificates.generate(openssl: openssl, commonName: commonName)
        } catch {
            certificates.remove()
            throw error
        }
        return certificates
    }

    /// Runs `body` with fresh certificates and removes them afterwards.
    public static func with<T>(_ body: (TestCertificates) async throws -> T) async throws -> T {
        let certificates = try await make()
        defer { certificates.remove() }
        return try await body(certificates)
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Private

    private func generate(openssl: String, commonName: String) async throws(TestCertificatesError) {
        let caKey = directory + "/ca.key"
        let request = directory + "/server.csr"
        let extensions = directory + "/server.ext"
        let serverExtensions = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1, DNS:localhost

            """
        do {
            try serverExtensions.write(toFile: extensions, atomically: true, encoding: .utf8)
        } catch {
            throw .cannotCreateDirectory(path: directory)
        }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await Self.run(
            openssl,
            ["req", "-x509"] + newKey + [
                "-keyout", caKey, "-out", caCertificatePath, "-days", "2", "-subj", "/CN=\(commonName)",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ]
        )
        try await Self.run(
            openssl,
            ["req"] + newKey + ["-keyout", privateKeyPath, "-out", request, "-subj", "/CN=localhost"]
        )
        try await Self.run(
            openssl,
            [
                "x509", "-req", "-in", request, "-CA", caCertificatePath, "-CAkey", caKey, "-CAcreateserial",
                "-out", certificatePath, "-days", "2", "-sha256", "-extfile", extensions,
            ]
        )
    }

    private static func opensslPath() throws(TestCertificatesError) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/openssl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw .opensslNotFound
    }

    /// Runs one `openssl` command to completion without blocking a thread of the
    /// concurrency pool: the exit arrives through the termination handler.
    private static func run(_ executable: String, _ arguments: [String]) async throws(TestCertificatesError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let (exits, exited) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        do {
            try process.run()
        } catch {
            throw .opensslFailed(arguments: arguments, status: -1, stderr: "\(error)")
        }
        var iterator = exits.makeAsyncIterator()
        let status = await iterator.next() ?? -1
        guard status == 0 else {
            // openssl has exited: its stderr is complete and small.
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw .opensslFailed(arguments: arguments, status: status, stderr: stderr)
        }
    }
}
