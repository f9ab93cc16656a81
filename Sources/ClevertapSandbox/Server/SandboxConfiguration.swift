/// Everything a ``SandboxServer`` needs to start.
public struct SandboxConfiguration: Sendable, Equatable {
    /// Accounts accepted by `/1/upload`; at least one.
    public var accounts: [SandboxAccount]
    /// Address to bind; loopback by default.
    public var host: String
    /// Port to bind; 0 picks a free one (read it back from ``SandboxServer/port``).
    public var port: Int
    /// Injected latency and faults; changeable at runtime.
    public var faults: FaultConfiguration
    /// Seed of the fault sequence.
    public var seed: UInt64
    /// The Upload API limits.
    public var limits: ValidationLimits
    /// When set, the store is written there as JSON when the server stops.
    public var persistPath: String?
    /// When set, the server speaks HTTPS (TLS 1.2 or later) instead of HTTP.
    public var tls: SandboxTLSFiles?

    public init(
        accounts: [SandboxAccount],
        host: String = "127.0.0.1",
        port: Int = 0,
        faults: FaultConfiguration = .none,
        seed: UInt64 = 0,
        limits: ValidationLimits = ValidationLimits(),
        persistPath: String? = nil,
        tls: SandboxTLSFiles? = nil
    ) {
        self.accounts = accounts
        self.host = host
        self.port = port
        self.faults = faults
        self.seed = seed
        self.limits = limits
        self.persistPath = persistPath
        self.tls = tls
    }

    /// Throws for no accounts, a duplicate account ID, an invalid fault setup, or
    /// TLS files that are missing, unreadable, not PEM or do not belong together
    /// (this reads them).
    public func validate() throws(SandboxConfigurationError) {
        guard !accounts.isEmpty else { throw .noAccounts }
        var seen = Set<String>()
        for account in accounts where !seen.insert(account.id).inserted {
            throw .duplicateAccount(account.id)
        }
        try faults.validate()
        _ = try tls?.makeServerConfiguration()
    }
}
