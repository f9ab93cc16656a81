/// CleverTap facts the linter checks against (see clevertap.md). The lists are the
/// mapper's (`EventRules`, `PropertyRule`), so static and per-row checks agree.
public enum CleverTapRules {
    public static let maxKeyBytes = 120
    public static let maxValueBytes = 512
    public static let maxCustomProperties = 256
    public static let maxEventNames = 512
    public static let maxRecordsPerRequest = 1000
    public static let maxConcurrentRequests = 15

    /// Profile fields CleverTap treats as standard: they do not count as custom properties.
    public static let standardProfileFields: Set<String> = PropertyRule.standardProfileFields.union([
        "MSG-email", "MSG-push", "MSG-sms", "MSG-whatsapp", "MSG-dndPhone",
    ])

    /// System events a job may not send (matched case-insensitively); `Charged` is allowed.
    public static let restrictedEventNames: Set<String> = Set(EventRules.restrictedNames.map { $0.lowercased() })

    public static func isRestrictedEvent(_ name: String) -> Bool {
        restrictedEventNames.contains(name.lowercased())
    }

    /// Characters CleverTap strips from event names.
    public static let forbiddenEventNameCharacters: Set<Character> = [".", ":", "$", "'", "\"", "\\"]
    /// Characters CleverTap strips from property keys.
    public static let forbiddenKeyCharacters: Set<Character> = [":", "$", "'", "\"", "\\"]

    public static func isStandardOrMessaging(_ key: String) -> Bool {
        standardProfileFields.contains(key) || key.hasPrefix("MSG-")
    }
}
