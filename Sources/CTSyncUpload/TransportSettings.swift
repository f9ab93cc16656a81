/// How the uploader reaches CleverTap, beyond the endpoint: extra trusted CAs and the proxy.
public struct TransportSettings: Sendable, Equatable {
    /// PEM files of CA certificates trusted besides the system's, with where each came
    /// from (`--ca-file`, `SSL_CERT_FILE`) for messages.
    public var caFiles: [(path: String, origin: String)]
    public var proxy: ProxySettings?

    public init(caFiles: [(path: String, origin: String)] = [], proxy: ProxySettings? = nil) {
        self.caFiles = caFiles
        self.proxy = proxy
    }

    /// The settings `ctsync run` uses: `--ca-file` (`caFile`), then the environment's
    /// `SSL_CERT_FILE`, `https_proxy`/`HTTPS_PROXY` and `no_proxy`/`NO_PROXY`.
    public static func from(caFile: String?, environment: [String: String]) throws(TransportSetupError)
        -> TransportSettings
    {
        var settings = TransportSettings()
        if let caFile { settings.caFiles.append((caFile, "--ca-file")) }
        if let file = environment["SSL_CERT_FILE"], !file.isEmpty, file != caFile {
            settings.caFiles.append((file, "SSL_CERT_FILE"))
        }
        settings.proxy = try ProxySettings.from(environment: environment)
        return settings
    }

    public static func == (lhs: TransportSettings, rhs: TransportSettings) -> Bool {
        lhs.caFiles.map(\.path) == rhs.caFiles.map(\.path) && lhs.caFiles.map(\.origin) == rhs.caFiles.map(\.origin)
            && lhs.proxy == rhs.proxy
    }
}

/// A CA file or proxy setting ctsync cannot use; the message names the option or variable.
public struct TransportSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
