import ClevertapSandbox
import Foundation

/// The rows the reliability suites sync: `rows` contacts (a profiles upsert keyed by
/// `id`) and `rows` orders (an events insert keyed by `order_id`), and what the
/// sandbox must hold for each once delivered.
struct ReliabilityWorkload: Sendable {
    let rows: Int

    static let profilesJob = "profiles"
    static let eventsJob = "events"
    static let eventName = "Order Placed"

    // MARK: - Source files

    func contactsCSV() -> String {
        var csv = "id,email,name,score,city,active\n"
        csv.reserveCapacity(rows * 64)
        for i in 0..<rows {
            csv += "\(i),\(Self.identity(ofContact: i)),\"Name \(i), Jr.\",\(Self.score(i)),City \(i % 211),"
            csv += i % 3 == 0 ? "true\n" : "false\n"
        }
        return csv
    }

    func ordersCSV() -> String {
        var csv = "order_id,email,ts,amount,channel\n"
        csv.reserveCapacity(rows * 64)
        for i in 0..<rows {
            csv += "\(Self.orderKey(i)),\(Self.identity(ofOrder: i)),\(Self.timestamp(i)),\(Self.amount(i)),"
            csv += "ch\(i % 7)\n"
        }
        return csv
    }

    // MARK: - Jobs

    struct Options {
        var batchSize: Int
        var concurrency: Int
        var maxAttempts: Int
        var requestTimeout: String

        /// What a job without `options` gets (`Options.defaults` in CTSyncSpec).
        static let jobDefaults = Options(batchSize: 1000, concurrency: 10, maxAttempts: 10, requestTimeout: "30s")
    }

    static func profilesYAML(_ options: Options?) -> String {
        """
        version: 1
        name: \(profilesJob)
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: ../contacts.csv }
        object: profiles
        mode: upsert
        primary_key: id
        mappings:
          - { from: email, to: identity }
          - { from: name, to: Name }
          - { from: score, to: Score, transform: [number] }
          - { from: city, to: City }
          - { from: active, to: Active, transform: [bool] }
        \(optionsYAML(options))
        """
    }

    static func eventsYAML(_ options: Options?) -> String {
        """
        version: 1
        name: \(eventsJob)
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: ../orders.csv }
        object: events
        mode: insert
        primary_key: order_id
        mappings:
          - { from: email, to: identity }
          - { value: \(eventName), to: evtName }
          - { from: ts, to: ts, transform: [number] }
          - { from: order_id, to: Order Id }
          - { from: amount, to: Amount, transform: [number] }
          - { from: channel, to: Channel }
        \(optionsYAML(options))
        """
    }

    /// The job's options; none (every option at its default) for nil.
    private static func optionsYAML(_ options: Options?) -> String {
        guard let options else { return "" }
        return """
        options:
          batch_size: \(options.batchSize)
          concurrency: \(options.concurrency)
          max_attempts: \(options.maxAttempts)
          request_timeout: \(options.requestTimeout)
          max_rejected: 0
        """
    }

    // MARK: - Row values

    static func contactKey(_ i: Int) -> String { String(i) }
    static func identity(ofContact i: Int) -> String { "user\(i)@example.com" }
    static func score(_ i: Int) -> Int { (i &* 7919) % 100_003 }

    static func orderKey(_ i: Int) -> String { "o\(i)" }
    /// Several orders a customer, so events of one identity come from many batches.
    static func identity(ofOrder i: Int) -> String { "buyer\(i % 4999)@example.com" }
    static func timestamp(_ i: Int) -> Int { 1_700_000_000 + i }
    static func amount(_ i: Int) -> String { "\(i % 1000).\(i % 10)5" }

    /// The properties the sandbox must hold for contact `i` once its row is delivered.
    static func expectedProfile(_ i: Int) -> [String: SandboxValue] {
        [
            "Name": .string("Name \(i), Jr."), "Score": .int(score(i)), "City": .string("City \(i % 211)"),
            "Active": .bool(i % 3 == 0),
        ]
    }

    /// Whether a stored event is exactly order `i`'s row.
    static func matches(_ event: SandboxEvent, order i: Int) -> Bool {
        event.identity == identity(ofOrder: i) && event.name == eventName && event.timestamp == timestamp(i)
            && event.properties["Order Id"] == .string(orderKey(i))
            && event.properties["Amount"]?.doubleValue == Double(amount(i))
            && event.properties["Channel"] == .string("ch\(i % 7)") && event.properties.count == 3
    }

    /// The row index of an order key (`o123` → 123).
    static func orderIndex(_ key: String) -> Int? {
        guard key.hasPrefix("o") else { return nil }
        return Int(key.dropFirst())
    }

    /// The row index of a contact identity (`user123@example.com` → 123).
    static func contactIndex(ofIdentity identity: String) -> Int? {
        guard identity.hasPrefix("user"), identity.hasSuffix("@example.com") else { return nil }
        return Int(identity.dropFirst(4).dropLast("@example.com".count))
    }
}
