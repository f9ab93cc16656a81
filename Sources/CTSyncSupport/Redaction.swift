/// Keeps personal data (identities, emails, phone numbers used as keys) out of
/// output that ends up in CI logs and artifacts, unless the user asks for it.
public enum Redaction {
    /// `jack@example.com` → `ja***`; short values → `***`.
    public static func redact(_ value: String) -> String {
        guard value.count > 4 else { return "***" }
        return String(value.prefix(2)) + "***"
    }

    public static func apply(_ value: String?, reveal: Bool) -> String? {
        guard let value else { return nil }
        return reveal ? value : redact(value)
    }
}
