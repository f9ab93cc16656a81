import CTSyncSpec
import CleverTapContract

/// The rules `ctsync init` guesses a job's mappings by, from each column's name and the
/// shapes of its sampled values: identity from an email, phone or id column; CleverTap's
/// standard profile fields by name; epoch milliseconds through `ms_to_s`; numbers through
/// `number`; for events, `evtName` and `ts`. It asks nothing: every choice is written as
/// a comment beside the mapping and told on stderr.
struct ScaffoldGuesser {
    let object: ObjectType
    let columns: [ColumnProfile]
    let rows: Int
    /// The source file's name without its extension, for a constant event name.
    let sourceStem: String

    struct Guess {
        /// identity first, then evtName and ts (events), then a property per column in source order.
        var mappings: [MappingGuess]
        var primaryKey: (column: String, reason: String)?
        var identityKind: IdentityKind?
        /// What was chosen and why, for stderr.
        var notes: [String]
    }

    func guess() -> Guess {
        var notes: [String] = []
        let (identity, kind, identityNote) = chooseIdentity()
        notes.append(identityNote)
        var mappings = [identity]
        var used = Set<String>()
        if let column = identity.column { used.insert(column) }

        let primaryKey = choosePrimaryKey(identity: identity.column)
        if let primaryKey {
            notes.append("primary_key: \"\(primaryKey.column)\" (\(primaryKey.reason))")
        } else if object == .events {
            notes.append(
                "primary_key: none (no id column is filled and unique in the sample): events without one are re-sent on every run; set primary_key to a column that identifies an event"
            )
        }

        var targets = Set(["identity"])
        if object == .events {
            let name = chooseEventName()
            mappings.append(name.guess)
            notes.append(name.note)
            if let column = name.guess.column { used.insert(column) }
            targets.insert("evtName")
            if let ts = chooseTimestamp() {
                mappings.append(ts)
                used.insert(ts.column!)
                targets.insert("ts")
                notes.append("ts: \"\(ts.column!)\" (\(ts.reason))")
            } else {
                notes.append(
                    "ts: none (no column of epoch seconds, milliseconds or ISO dates with a time-like name): CleverTap stamps each event with the time it receives it"
                )
            }
        }

        var customCount = 0
        for column in columns {
            var guess: MappingGuess
            if object == .profiles, let standard = standardField(column, identity: identity.column, taken: targets) {
                guess = standard
            } else if used.contains(column.name) {
                continue
            } else {
                guess = customProperty(column, taken: targets)
            }
            if !guess.commentedOut, object == .events || !CleverTapRules.isStandardOrMessaging(guess.target) {
                customCount += 1
                if customCount > CleverTapRules.maxCustomProperties {
                    guess.commentedOut = true
                    guess.reason = "over CleverTap's \(CleverTapRules.maxCustomProperties) custom properties"
                }
            }
            if !guess.commentedOut { targets.insert(guess.target) }
            mappings.append(guess)
        }
        return Guess(mappings: mappings, primaryKey: primaryKey, identityKind: kind, notes: notes)
    }

    // MARK: Identity and keys

    static let userWords: Set<String> = [
        "user", "customer", "member", "contact", "account", "profile", "person", "client", "identity", "subscriber",
    ]
    static let phoneWords: Set<String> = ["phone", "mobile", "cell", "msisdn", "telephone", "tel", "whatsapp"]

    private func sampled(_ count: Int, _ column: ColumnProfile) -> String {
        "\(count) of \(column.present) sampled values"
    }

    private func chooseIdentity() -> (MappingGuess, IdentityKind?, String) {
        let emails = columns.filter { $0.most($0.emails) && !$0.named(["optin", "opt", "consent", "verified"]) }
            .sorted { ($0.key.contains("email") ? 0 : 1) < ($1.key.contains("email") ? 0 : 1) }
        let phones = columns.filter { $0.named(Self.phoneWords) && $0.most($0.phones, share: 0.5) }
        let ids = columns.filter { $0.looksLikeIdentifier && $0.present > 0 && $0.nested == 0 }
            .sorted { ($0.named(Self.userWords) ? 0 : 1) < ($1.named(Self.userWords) ? 0 : 1) }
        var candidates: [(ColumnProfile, String, IdentityKind?, [String])] = []
        for column in emails {
            candidates.append((column, "emails in \(sampled(column.emails, column))", .email, ["trim", "lowercase"]))
        }
        for column in phones {
            candidates.append((column, "phone numbers in \(sampled(column.phones, column))", .phone, ["e164"]))
        }
        for column in ids where object == .profiles || column.named(Self.userWords) {
            let transforms = column.texts == column.present ? ["trim"] : ["string"]
            candidates.append((column, "an id column (by its name)", nil, transforms))
        }
        let why =
            "CleverTap merges profiles by identity: it must be what your apps send as Identity; edit this mapping if that is another column"
        guard let (column, reason, kind, transforms) = candidates.first else {
            let fallback = columns.first { $0.nested == 0 } ?? columns[0]
            let guess = MappingGuess(
                input: .column(fallback.name), target: "identity", transforms: ["trim"],
                reason: "no email, phone or id column found: the first column, a placeholder")
            return (
                guess, nil,
                "identity: \"\(fallback.name)\", only because it is the first column: no email, phone or id column was found. \(why)"
            )
        }
        var others: [String] = []
        for candidate in candidates.dropFirst() where !others.contains(candidate.0.name) && candidate.0.name != column.name {
            others.append(candidate.0.name)
        }
        let alternatives = others.isEmpty ? "" : "; other candidates: \(others.joined(separator: ", "))"
        let guess = MappingGuess(input: .column(column.name), target: "identity", transforms: transforms, reason: reason)
        return (guess, kind, "identity: \"\(column.name)\" (\(reason))\(alternatives). \(why)")
    }

    private func choosePrimaryKey(identity: String?) -> (column: String, reason: String)? {
        let unique = columns.filter { $0.looksLikeIdentifier && $0.isUnique(rows: rows) && $0.nested == 0 }
            .sorted { ($0.key == "id" ? 0 : 1) < ($1.key == "id" ? 0 : 1) }
        let candidates = object == .events ? unique.filter { !$0.named(Self.userWords) || unique.count == 1 } : unique
        guard let column = candidates.first, column.name != identity else { return nil }
        return (column.name, "filled and unique in all \(rows) sampled rows")
    }

    // MARK: Events

    private func chooseEventName() -> (guess: MappingGuess, note: String) {
        let names: Set<String> = ["event", "eventname", "evtname", "eventtype", "action", "activity"]
        if let column = columns.first(where: {
            names.contains($0.key) && $0.all($0.texts) && $0.distinct <= CleverTapRules.maxEventNames
        }) {
            let guess = MappingGuess(
                input: .column(column.name), target: "evtName", transforms: ["trim"],
                reason: "event names (\(column.distinct) distinct in the sample)")
            return (guess, "evtName: from column \"\(column.name)\" (\(guess.reason))")
        }
        var name = ColumnProfile.words(of: sourceStem).map(Self.capitalized).joined(separator: " ")
        if name.isEmpty { name = "Imported Event" }
        if CleverTapRules.isRestrictedEvent(name) { name += " Import" }
        if name.utf8.count > 100 { name = String(name.prefix(100)) }
        let guess = MappingGuess(
            input: .constant(name), target: "evtName", transforms: [],
            reason: "from the file name: rename it to the event this is (Charged for purchases)")
        return (guess, "evtName: \"\(name)\", from the file name (no column looks like an event name); rename it")
    }

    static let timeWords: Set<String> = [
        "ts", "time", "timestamp", "at", "date", "created", "updated", "occurred", "happened", "epoch", "ms",
        "millis", "when", "on", "datetime",
    ]

    private func timeKind(_ column: ColumnProfile) -> (transforms: [String], reason: String)? {
        if column.all(column.epochMilliseconds) && column.named(Self.timeWords) {
            return (["ms_to_s"], "epoch milliseconds, by its name and values")
        }
        if column.all(column.epochSeconds) && column.named(Self.timeWords) {
            return ([], "epoch seconds, by its name and values")
        }
        if column.all(column.isoDateTimes + column.isoDates) && column.isoDateTimes > 0 {
            return (["iso8601"], "ISO 8601 date-times")
        }
        return nil
    }

    private func chooseTimestamp() -> MappingGuess? {
        let preferred: Set<String> = ["ts", "timestamp", "eventtime", "eventts", "occurredat", "time", "eventdate"]
        let ranked = columns.filter { timeKind($0) != nil }
            .sorted { a, b in
                func rank(_ c: ColumnProfile) -> Int { preferred.contains(c.key) ? 0 : c.words.contains("created") ? 1 : 2 }
                return rank(a) < rank(b)
            }
        guard let column = ranked.first, let kind = timeKind(column) else { return nil }
        return MappingGuess(input: .column(column.name), target: "ts", transforms: kind.transforms, reason: kind.reason)
    }

    // MARK: Properties

    /// CleverTap's standard profile field for a column, by its name (and values for
    /// Email and Phone); nil when it is none or the field is taken.
    private func standardField(_ column: ColumnProfile, identity: String?, taken: Set<String>) -> MappingGuess? {
        guard column.nested == 0 else { return nil }
        func field(_ target: String, _ transforms: [String], _ reason: String) -> MappingGuess? {
            taken.contains(target)
                ? nil
                : MappingGuess(input: .column(column.name), target: target, transforms: transforms, reason: reason)
        }
        let key = column.key
        if let channel = messagingChannel(column) {
            return field(channel, ["bool"], "a subscription flag, by its name: CleverTap's \(channel)")
        }
        if key.contains("email") && column.most(column.emails) {
            return field("Email", ["trim", "lowercase"], "CleverTap's Email: emails in \(sampled(column.emails, column))")
        }
        if column.named(Self.phoneWords) && column.most(column.phones, share: 0.5) {
            return field("Phone", ["e164"], "CleverTap's Phone, as E.164: phone numbers in \(sampled(column.phones, column))")
        }
        switch key {
        case "name", "fullname", "customername", "displayname", "contactname":
            return field("Name", ["trim"], "CleverTap's Name, by the column's name")
        case "gender", "sex":
            return field("Gender", ["gender"], "CleverTap's Gender (M or F), by the column's name")
        case "dob", "birthdate", "dateofbirth", "birthday":
            return field("DOB", ["date"], "CleverTap's DOB, by the column's name")
        case "age":
            return field("Age", ["number"], "CleverTap's Age, by the column's name")
        case "customertype":
            return field("Customer Type", [], "CleverTap's Customer Type, by the column's name")
        case "photo", "photourl", "avatar", "avatarurl", "picture", "pictureurl":
            return field("Photo", [], "CleverTap's Photo, by the column's name")
        case "employed", "married", "education":
            let target = Self.capitalized(key)
            return field(target, [], "CleverTap's \(target), by the column's name")
        default:
            return nil
        }
    }

    /// `MSG-email` for `email_opt_in`, `msg_sms` for `MSG-sms`…: a channel word with a
    /// subscription word (or a `msg` prefix).
    private func messagingChannel(_ column: ColumnProfile) -> String? {
        let key = column.key
        let subscription =
            key.hasPrefix("msg") || ["optin", "subscribed", "subscription", "consent", "marketing", "allow"].contains {
                key.contains($0)
            }
        if key.contains("dnd") && (key.contains("phone") || key.contains("call")) { return "MSG-dndPhone" }
        guard subscription else { return nil }
        if key.contains("whatsapp") { return "MSG-whatsapp" }
        if key.contains("email") || key.contains("mail") { return "MSG-email" }
        if key.contains("sms") || key.contains("text") { return "MSG-sms" }
        if key.contains("push") { return "MSG-push" }
        return nil
    }

    static let booleanWords: Set<String> = [
        "is", "has", "optin", "enabled", "active", "flag", "subscribed", "verified", "consent", "opted",
    ]

    private func customProperty(_ column: ColumnProfile, taken: Set<String>) -> MappingGuess {
        var words = column.words
        let transforms: [String]
        let reason: String
        if column.nested > 0 {
            return MappingGuess(
                input: .column(column.name), target: propertyName(words, taken: taken), transforms: [],
                reason: "nested JSON: CleverTap takes flat values; flatten it in the export", commentedOut: true)
        } else if column.present == 0 {
            (transforms, reason) = ([], "empty in every sampled row: no type guessed")
        } else if let time = timeKind(column) {
            if time.transforms == ["ms_to_s"] {
                if words.count > 1, ["ms", "millis", "msec"].contains(words.last!) { words.removeLast() }
                (transforms, reason) = (["ms_to_s", "date"], "a date: \(time.reason)")
            } else {
                (transforms, reason) = (["date"], "a date: \(time.reason)")
            }
        } else if column.all(column.isoDates + column.isoDateTimes) {
            (transforms, reason) = (["date"], "a date: ISO 8601 dates")
        } else if column.all(column.booleanWords) {
            (transforms, reason) = column.texts == 0 ? ([], "booleans") : (["bool"], "true/false words")
        } else if column.all(column.zeroOrOne) && column.named(Self.booleanWords) {
            (transforms, reason) = (["bool"], "0/1 flags, by the column's name")
        } else if column.isNumeric {
            (transforms, reason) = (["number"], "numbers in \(sampled(column.numbers, column))")
        } else {
            (transforms, reason) = ([], "text")
        }
        return MappingGuess(
            input: .column(column.name), target: propertyName(words, taken: taken), transforms: transforms, reason: reason)
    }

    /// `lifetime_value` → `Lifetime Value`: words capitalised, no character CleverTap
    /// strips, at most 120 bytes, distinct from the targets already taken.
    func propertyName(_ words: [String], taken: Set<String>) -> String {
        var base = words.map(Self.capitalized).joined(separator: " ")
        base = String(base.filter { !CleverTapRules.forbiddenKeyCharacters.contains($0) })
        if base.isEmpty { base = "Column" }
        while base.utf8.count > CleverTapRules.maxKeyBytes - 4 { base.removeLast() }
        if Mapping.reservedTargets.contains(base) || CleverTapRules.isStandardOrMessaging(base) { base += " Value" }
        var name = base
        var suffix = 2
        while taken.contains(name) {
            name = "\(base) \(suffix)"
            suffix += 1
        }
        return name
    }

    static func capitalized(_ word: String) -> String {
        word.prefix(1).uppercased() + word.dropFirst()
    }
}
