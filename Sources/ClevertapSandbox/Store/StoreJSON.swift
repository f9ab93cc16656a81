/// How stored profiles and events read as JSON, for the inspection endpoints and
/// the `--persist` snapshot. Keys are sorted.
enum StoreJSON {
    static func write(_ profile: SandboxProfile, into writer: inout JSONWriter) {
        writer.raw("{")
        writer.key("account")
        writer.write(profile.account)
        writer.raw(",")
        writer.key("identity")
        writer.write(profile.identity)
        writer.raw(",")
        writer.key("profileData")
        writer.write(profile.properties)
        writer.raw(",")
        writer.key("ts")
        writer.write(profile.lastUpdated)
        writer.raw(",")
        writer.key("updates")
        writer.write(profile.updateCount)
        writer.raw("}")
    }

    static func write(_ event: SandboxEvent, into writer: inout JSONWriter) {
        writer.raw("{")
        writer.key("account")
        writer.write(event.account)
        writer.raw(",")
        writer.key("evtData")
        writer.write(event.properties)
        writer.raw(",")
        writer.key("evtName")
        writer.write(event.name)
        writer.raw(",")
        writer.key("identity")
        writer.write(event.identity)
        writer.raw(",")
        writer.key("seq")
        writer.write(event.sequence)
        writer.raw(",")
        writer.key("ts")
        writer.write(event.timestamp)
        writer.raw("}")
    }

    static func write(_ events: [SandboxEvent], into writer: inout JSONWriter) {
        writer.raw("[")
        for (index, event) in events.enumerated() {
            if index > 0 { writer.raw(",") }
            write(event, into: &writer)
        }
        writer.raw("]")
    }

    /// `{"accounts":{"<id>":{"events":[...],"profiles":[...]}}}`, profiles by identity.
    static func snapshot(of store: SandboxStore) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 1 << 16)
        writer.raw("{")
        writer.key("accounts")
        writer.raw("{")
        for (index, account) in store.accountOrder.sorted().enumerated() {
            if index > 0 { writer.raw(",") }
            writer.key(account)
            writer.raw("{")
            writer.key("events")
            write(store.events(account: account), into: &writer)
            writer.raw(",")
            writer.key("profiles")
            writer.raw("[")
            for (position, identity) in store.identities(account: account).enumerated() {
                if position > 0 { writer.raw(",") }
                if let profile = store.profile(identity: identity, account: account) {
                    write(profile, into: &writer)
                }
            }
            writer.raw("]")
            writer.raw("}")
        }
        writer.raw("}")
        writer.raw("}\n")
        return writer.bytes
    }
}
