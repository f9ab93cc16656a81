/// The keys each section of a job file accepts. The decoder reports anything else
/// as an unknown key, and the JSON Schema is generated from the same lists, so
/// the two cannot drift apart.
enum SpecKeys {
    static let job = [
        "version", "name", "description", "destination", "source", "object", "mode", "primary_key",
        "mappings", "identity_kind", "options", "guards",
    ]
    static let jobRequired = ["version", "name", "destination", "source", "object", "mappings"]
    static let destination = ["region", "account_id", "passcode", "endpoint", "limits"]
    static let limits = ["event_names", "properties_per_event"]
    static let destinationRequired = ["region", "account_id", "passcode"]
    static let source = ["file", "command", "env", "format", "timeout", "delimiter", "header"]
    static let mapping = ["from", "value", "to", "transform"]
    static let options = [
        "batch_size", "concurrency", "max_attempts", "max_rejected", "request_timeout", "retry_timeout",
    ]

    static let guards = ["min_source_rows", "max_source_drop", "max_changed", "max_invalid"]

    /// Modes that users ask for but CleverTap cannot support, with the reason.
    static func unsupportedModeReason(_ mode: String) -> String? {
        let lowered = mode.lowercased()
        switch lowered {
        case "update", "update_only", "update-only":
            return
                "CleverTap's upload API has no update-only semantics: an unknown identity always creates a new profile"
        case "mirror", "sync", "delete", "full_sync", "full-sync":
            return
                "CleverTap's upload API cannot delete profiles or properties, so a mirror cannot remove rows that left the source"
        default:
            if ["audience", "list", "segment", "membership", "cohort"].contains(where: lowered.contains) {
                return "CleverTap has no list, segment or membership API; map a property (e.g. a boolean) and build the segment in the dashboard"
            }
            return nil
        }
    }
}
