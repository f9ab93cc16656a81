/// A CleverTap account (project) the sandbox accepts uploads for.
public struct SandboxAccount: Sendable, Hashable {
    /// `X-CleverTap-Account-Id`.
    public var id: String
    /// `X-CleverTap-Passcode`.
    public var passcode: String
    /// The only region whose `/{region}/1/upload` path accepts this account.
    public var region: SandboxRegion

    public init(id: String, passcode: String, region: SandboxRegion) {
        self.id = id
        self.passcode = passcode
        self.region = region
    }

    /// Parses `ID:PASSCODE:REGION`; a passcode may itself contain colons.
    public init(parsing spec: String) throws(SandboxConfigurationError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, !parts[0].isEmpty, let last = parts.last else { throw .invalidAccount(spec) }
        let passcode = parts[1..<(parts.count - 1)].joined(separator: ":")
        guard !passcode.isEmpty else { throw .invalidAccount(spec) }
        guard let region = SandboxRegion(rawValue: String(last)) else { throw .unknownRegion(String(last)) }
        self.init(id: String(parts[0]), passcode: passcode, region: region)
    }
}
