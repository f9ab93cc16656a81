import NIOSSL

extension TLSConfiguration {
    /// A client configuration that trusts only the CA at `caCertificatePath`.
    static func trusting(_ caCertificatePath: String) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(caCertificatePath)
        return configuration
    }
}
