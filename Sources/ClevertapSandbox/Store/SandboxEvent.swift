/// An event as the sandbox stores it.
public struct SandboxEvent: Sendable, Equatable {
    /// Position in the account's event log, from 1: the order of acceptance.
    public let sequence: Int
    /// The account (project) ID the event belongs to.
    public let account: String
    public let identity: String
    /// `evtName`.
    public let name: String
    /// The record's `ts`, or its receipt time when it had none.
    public let timestamp: Int
    /// `evtData` as sent.
    public let properties: [String: SandboxValue]
}
