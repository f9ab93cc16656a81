import CTSyncSupport

/// One CleverTap record, encoded exactly as it goes into a request's `"d"` array.
public struct EncodedRecord: Sendable, Equatable {
    /// The record object as canonical UTF-8 JSON: fixed top-level key order, property keys
    /// sorted by their UTF-8 bytes, no whitespace, minimal escaping. Equal records have
    /// equal bytes, so ``hash`` identifies the content.
    public var json: [UInt8]
    /// The raw value of the job's primary key column; `""` when the job has none
    /// (events without a declared `primary_key`).
    public var primaryKey: String
    /// The `identity` written into the record.
    public var identity: String
    /// The `evtName` written into the record; nil for profiles.
    public var eventName: String?
    /// The hash of ``json``.
    public var hash: RecordHash
    /// The 1-based source line (or row number) of the row.
    public var line: Int
    /// The property keys the record carries (events), as indices into the mapper's
    /// ``RecordMapper/propertyKeys``; counted against the event's property budget.
    public var properties = PropertyMask()

    public init(
        json: [UInt8], primaryKey: String, identity: String, eventName: String?, hash: RecordHash, line: Int
    ) {
        self.json = json
        self.primaryKey = primaryKey
        self.identity = identity
        self.eventName = eventName
        self.hash = hash
        self.line = line
    }
}
