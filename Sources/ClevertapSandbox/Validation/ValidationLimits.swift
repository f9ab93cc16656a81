/// The Upload API limits the sandbox enforces, as `clevertap.md` documents them.
///
/// Every limit is a stored property so a test can tighten one (say, 3 event names
/// per account) without building thousands of records.
public struct ValidationLimits: Sendable, Equatable {
    /// Records per request; more is a request-level HTTP 400.
    public var maxRecordsPerRequest: Int
    /// Concurrent upload requests per account; the next one gets HTTP 429.
    public var maxConcurrentRequests: Int
    /// Request body size; more is a request-level HTTP 400.
    public var maxBodyBytes: Int
    /// UTF-8 bytes in a property key (code 512 when exceeded).
    public var maxKeyBytes: Int
    /// UTF-8 bytes in a string value, an event name or a multi-value item (code 512).
    public var maxValueBytes: Int
    /// Custom (non-standard) properties per profile, after merging (code 522).
    public var maxCustomProfileProperties: Int
    /// Keys in one event's `evtData` (code 522).
    public var maxEventProperties: Int
    /// Distinct event names per account; the next new name is refused (code 512).
    public var maxEventNames: Int
    /// Items in a multi-value property (code 512).
    public var maxMultiValueItems: Int
    /// Objects in `Charged`'s `Items` (code 512).
    public var maxChargedItems: Int

    /// The documented limits.
    public init(
        maxRecordsPerRequest: Int = 1000,
        maxConcurrentRequests: Int = 15,
        maxBodyBytes: Int = 64 << 20,
        maxKeyBytes: Int = 120,
        maxValueBytes: Int = 512,
        maxCustomProfileProperties: Int = 256,
        maxEventProperties: Int = 256,
        maxEventNames: Int = 512,
        maxMultiValueItems: Int = 100,
        maxChargedItems: Int = 50
    ) {
        self.maxRecordsPerRequest = maxRecordsPerRequest
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxBodyBytes = maxBodyBytes
        self.maxKeyBytes = maxKeyBytes
        self.maxValueBytes = maxValueBytes
        self.maxCustomProfileProperties = maxCustomProfileProperties
        self.maxEventProperties = maxEventProperties
        self.maxEventNames = maxEventNames
        self.maxMultiValueItems = maxMultiValueItems
        self.maxChargedItems = maxChargedItems
    }
}
