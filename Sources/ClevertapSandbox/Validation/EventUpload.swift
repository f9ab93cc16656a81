/// A validated event record, ready to append to the store.
struct EventUpload: Sendable {
    let identity: String
    /// Epoch seconds from the record's `ts`, or `nil` for receipt time.
    let timestamp: Int?
    let name: String
    let properties: [String: SandboxValue]
}
