/// One upload request the concurrency limit let in, as `GET /sandbox/requests`
/// lists it.
///
/// `entered` and `left` are positions in one sequence of admissions and
/// completions (not times): two requests were in flight together exactly when
/// each entered before the other left. Tests and the benchmark use it to see
/// that requests of different jobs (told apart by their records' identities)
/// overlapped, without reading clocks.
public struct UploadLogEntry: Sendable, Equatable {
    public var account: String
    public var entered: Int
    /// Nil while the request is still in flight.
    public var left: Int?
    /// Records in the request's `d` (0 when it had none or was not parsed).
    public var records: Int
    /// The `identity` (or else `objectId`) of the request's first record, when it has one.
    public var firstIdentity: String?

    /// Whether this request and `other` were in flight at the same time.
    public func overlaps(_ other: UploadLogEntry) -> Bool {
        entered < (other.left ?? Int.max) && other.entered < (left ?? Int.max)
    }
}

/// The last `capacity` admitted upload requests, oldest first: bounded, so a long
/// load test keeps flat memory.
struct UploadLog: Sendable {
    static let capacity = 10_000

    private var entries: [UploadLogEntry] = []
    /// Index in `entries` of the oldest entry once the ring is full.
    private var start = 0
    /// How many entries were ever added: the ticket of the next one.
    private var added = 0
    /// The ticket of the first entry since the last reset.
    private var first = 0
    private var sequence = 0

    /// Opens an entry for a request just admitted; returns its ticket.
    mutating func enter(account: String) -> Int {
        sequence += 1
        let entry = UploadLogEntry(account: account, entered: sequence, left: nil, records: 0, firstIdentity: nil)
        if entries.count < Self.capacity {
            entries.append(entry)
        } else {
            entries[start] = entry
            start = (start + 1) % Self.capacity
        }
        added += 1
        return added - 1
    }

    /// Closes the entry of `ticket`, if the log still holds it (not pushed out, not reset since).
    mutating func leave(ticket: Int, records: Int, firstIdentity: String?) {
        sequence += 1
        guard ticket >= first, ticket >= added - entries.count else { return }
        let index = (ticket - first) % Self.capacity
        entries[index].left = sequence
        entries[index].records = records
        entries[index].firstIdentity = firstIdentity
    }

    /// Forgets every entry; requests in flight now are not logged when they end.
    mutating func reset() {
        entries = []
        start = 0
        first = added
    }

    /// The entries, oldest first.
    var ordered: [UploadLogEntry] {
        Array(entries[start...] + entries[..<start])
    }
}

extension UploadLogEntry {
    var jsonValue: SandboxValue {
        var members: [String: SandboxValue] = [
            "account": .string(account), "entered": .int(entered), "records": .int(records),
        ]
        members["left"] = left.map(SandboxValue.int) ?? .null
        members["first_identity"] = firstIdentity.map(SandboxValue.string) ?? .null
        return .object(members)
    }
}
