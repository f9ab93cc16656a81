/// A profile as the sandbox stores it, after every accepted upsert was merged.
public struct SandboxProfile: Sendable, Equatable {
    /// The account (project) ID the profile belongs to.
    public let account: String
    /// The identifier the records used (`identity`, or `objectId`/`FBID`/`GPID`).
    public let identity: String
    /// Merged `profileData`: operators already applied, multi-values as arrays.
    public internal(set) var properties: [String: SandboxValue]
    /// The `ts` of the last accepted record, or its receipt time when it had none.
    public internal(set) var lastUpdated: Int
    /// How many records were merged into this profile.
    public internal(set) var updateCount: Int
    /// How many of `properties` are custom properties, kept up to date by merging.
    var customPropertyCount: Int

    init(account: String, identity: String) {
        self.account = account
        self.identity = identity
        self.properties = [:]
        self.lastUpdated = 0
        self.updateCount = 0
        self.customPropertyCount = 0
    }
}
