/// What the load generator sends, and where.
public struct LoadGeneratorOptions: Sendable, Equatable {
    /// The kind of records in each batch.
    public enum RecordKind: String, Sendable, CaseIterable {
        case profiles, events
    }

    /// `http://HOST:PORT` or a full upload URL (`http://HOST:PORT/in1/1/upload`).
    public var url: String
    public var accountID: String
    public var passcode: String
    /// Concurrent keep-alive connections, each with one request in flight.
    public var clients: Int
    /// Requests to send in total.
    public var batches: Int
    /// Records per request.
    public var batchSize: Int
    /// Distinct pre-built batches, cycled; also bounds the number of identities
    /// (`distinctBatches * batchSize`) so a long run does not grow the store forever.
    public var distinctBatches: Int
    public var kind: RecordKind
    /// A request with no complete answer after this long counts as an error.
    public var timeoutSeconds: Int

    public init(
        url: String,
        accountID: String,
        passcode: String,
        clients: Int = 15,
        batches: Int = 1000,
        batchSize: Int = 1000,
        distinctBatches: Int = 16,
        kind: RecordKind = .profiles,
        timeoutSeconds: Int = 60
    ) {
        self.url = url
        self.accountID = accountID
        self.passcode = passcode
        self.clients = clients
        self.batches = batches
        self.batchSize = batchSize
        self.distinctBatches = distinctBatches
        self.kind = kind
        self.timeoutSeconds = timeoutSeconds
    }

    /// Host, port and path of ``url``; the path defaults to `/1/upload`.
    func endpoint() throws(LoadGeneratorError) -> (host: String, port: Int, path: String) {
        guard url.hasPrefix("http://") else { throw .invalidURL(url) }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            !authority[..<colon].isEmpty
        else { throw .invalidURL(url) }
        return (String(authority[..<colon]), port, path.isEmpty || path == "/" ? "/1/upload" : String(path))
    }
}
