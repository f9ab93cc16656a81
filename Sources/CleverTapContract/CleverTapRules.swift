/// CleverTap's documented limits and field rules (see clevertap.md): the one place the
/// linter, the mapper and the planner read them from, so static and per-row checks agree.
public enum CleverTapRules {
    public static let maxKeyBytes = 120
    public static let maxValueBytes = 512
    public static let maxCustomProperties = 256
    public static let maxEventNames = 512
    public static let maxRecordsPerRequest = 1000
    public static let maxConcurrentRequests = 15

    /// Standard profile fields with fixed formats; they do not count as custom properties.
    public static let standardFields: Set<String> = [
        "Name", "Email", "Phone", "Gender", "DOB", "Photo", "Customer Type", "Employed", "Married", "Education",
        "Age",
    ]

    /// Profile fields CleverTap treats as standard: they do not count as custom properties.
    public static let standardProfileFields: Set<String> = standardFields.union([
        "MSG-email", "MSG-push", "MSG-sms", "MSG-whatsapp", "MSG-dndPhone",
    ])

    /// System events CleverTap refuses from the Upload API, matched case-insensitively,
    /// spelled as CleverTap documents them. `Charged` is not among them: it is allowed.
    public static let restrictedEventNames: [String] = [
        "Stayed", "Notification Clicked", "Notification Viewed", "Notification Sent", "Notification Bounced",
        "UTM Visited", "App Launched", "App Uninstalled", "Geocluster Entered", "Geocluster Exited", "wzrk_d",
        // Signed-call events.
        "SCOutgoing", "SCIncoming", "SCEnd", "SCCampaignOptOut",
    ]

    private static let restrictedLowercased: Set<String> = Set(restrictedEventNames.map { $0.lowercased() })

    /// Whether `name` is a system event a job may not send.
    public static func isRestrictedEvent(_ name: String) -> Bool {
        restrictedLowercased.contains(name.lowercased())
    }

    /// Characters CleverTap strips from event names.
    public static let forbiddenEventNameCharacters: Set<Character> = [".", ":", "$", "'", "\"", "\\"]
    /// Characters CleverTap strips from property keys.
    public static let forbiddenKeyCharacters: Set<Character> = [":", "$", "'", "\"", "\\"]

    public static func isStandardOrMessaging(_ key: String) -> Bool {
        standardProfileFields.contains(key) || key.hasPrefix("MSG-")
    }
}
