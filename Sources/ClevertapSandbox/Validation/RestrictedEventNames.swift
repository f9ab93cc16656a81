/// CleverTap's system event names, which an upload may not raise (code 513).
enum RestrictedEventNames {
    /// Lowercased, because the match is case-insensitive.
    static let names: Set<String> = [
        "stayed",
        "notification clicked",
        "notification viewed",
        "notification sent",
        "notification bounced",
        "utm visited",
        "app launched",
        "app uninstalled",
        "geocluster entered",
        "geocluster exited",
        "wzrk_d",
    ]

    /// Whether `name` is a system event: one of ``names`` in any case, or a
    /// signed-call event (`SCOutgoing`, `SCIncoming`, `SCEnd`, ...).
    ///
    /// Signed-call names are matched as `SC` followed by an upper-case letter so
    /// ordinary names such as `Score Updated` or `School Enrolled` stay allowed.
    static func contains(_ name: String) -> Bool {
        if names.contains(name.lowercased()) { return true }
        let utf8 = name.utf8
        guard utf8.count > 2 else { return false }
        var iterator = utf8.makeIterator()
        guard iterator.next() == UInt8(ascii: "S"), iterator.next() == UInt8(ascii: "C"),
            let third = iterator.next()
        else { return false }
        return third >= UInt8(ascii: "A") && third <= UInt8(ascii: "Z")
    }
}
