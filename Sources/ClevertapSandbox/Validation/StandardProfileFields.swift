/// CleverTap's standard profile fields: checked for format and not counted
/// against the custom-property limit.
enum StandardProfileFields {
    static let names: Set<String> = [
        "Name", "Email", "Phone", "Gender", "DOB", "Photo", "Customer Type",
        "Employed", "Married", "Education", "Age",
        "MSG-email", "MSG-push", "MSG-sms", "MSG-whatsapp", "MSG-dndPhone",
    ]

    /// Subscription flags (`MSG-email`, `MSG-sms`, ...), which must be booleans.
    static func isSubscriptionFlag(_ key: String) -> Bool {
        key.utf8.starts(with: "MSG-".utf8)
    }

    static func isCustom(_ key: String) -> Bool {
        !names.contains(key) && !isSubscriptionFlag(key)
    }
}
