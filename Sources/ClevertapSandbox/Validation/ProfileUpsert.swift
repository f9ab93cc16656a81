/// A validated profile record: merge `properties` into the profile of `identity`.
struct ProfileUpsert: Sendable {
    let identity: String
    /// Epoch seconds from the record's `ts`, or `nil` for receipt time.
    let timestamp: Int?
    /// Plain values and `$add`/`$remove`/`$incr`/`$decr` operator objects.
    let properties: [String: SandboxValue]
    /// How many of `properties` are custom (not standard) properties.
    let customKeyCount: Int
}
