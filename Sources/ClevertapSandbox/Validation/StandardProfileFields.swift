/// CleverTap's standard profile fields: checked for format and not counted
/// against the custom-property limit.
///
/// Matched with `switch` rather than a `Set`: these names are small strings, so
/// comparing them is a couple of word compares, while hashing each key of every
/// record was a visible share of the ingest time.
enum StandardProfileFields {
    /// Subscription flags (`MSG-email`, `MSG-sms`, ...), which must be booleans.
    static func isSubscriptionFlag(_ key: String) -> Bool {
        var bytes = key.utf8.makeIterator()
        return bytes.next() == UInt8(ascii: "M") && bytes.next() == UInt8(ascii: "S")
            && bytes.next() == UInt8(ascii: "G") && bytes.next() == UInt8(ascii: "-")
    }

    static func isCustom(_ key: String) -> Bool {
        switch key {
        case "Name", "Email", "Phone", "Gender", "DOB", "Photo", "Customer Type", "Employed", "Married",
            "Education", "Age":
            false
        default:
            !isSubscriptionFlag(key)
        }
    }
}
