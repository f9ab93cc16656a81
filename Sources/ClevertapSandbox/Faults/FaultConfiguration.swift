/// Latency and failures the sandbox injects into upload requests.
///
/// Probabilities are per request, each in `0...1`, and together at most 1: one
/// uniform draw picks at most one fault, in the order 429, 500, 502, 503,
/// dropped connection, lost response, slow response. Latency applies to every
/// upload request that got past the concurrency limit and is the request's whole
/// time on the server, processing included (as a client sees CleverTap's): it holds
/// its in-flight slot meanwhile.
public struct FaultConfiguration: Sendable, Equatable {
    /// The request's time on the server, processing included, in milliseconds.
    public var latencyMilliseconds: Int
    /// Extra delay drawn uniformly from `0...jitterMilliseconds`.
    public var jitterMilliseconds: Int
    /// Answer HTTP 429 `Too many concurrent requests` without processing.
    public var fault429: Double
    /// Answer HTTP 500 without processing.
    public var fault500: Double
    /// Answer HTTP 502 with an HTML body, as a load balancer does, without processing.
    public var fault502: Double
    /// Answer HTTP 503 without processing.
    public var fault503: Double
    /// Close the connection without an answer and without processing.
    public var faultDrop: Double
    /// Process and store the batch, then close the connection without an answer.
    public var faultLost: Double
    /// Process and store the batch, then wait `slowMilliseconds` before answering.
    public var faultSlow: Double
    /// The delay of a slow response; longer than the client's timeout.
    public var slowMilliseconds: Int
    /// When set, 429 and 503 answers carry `Retry-After: <seconds>`.
    public var retryAfterSeconds: Int?

    /// No latency, no faults.
    public static let none = FaultConfiguration()

    public init(
        latencyMilliseconds: Int = 0,
        jitterMilliseconds: Int = 0,
        fault429: Double = 0,
        fault500: Double = 0,
        fault502: Double = 0,
        fault503: Double = 0,
        faultDrop: Double = 0,
        faultLost: Double = 0,
        faultSlow: Double = 0,
        slowMilliseconds: Int = 30_000,
        retryAfterSeconds: Int? = nil
    ) {
        self.latencyMilliseconds = latencyMilliseconds
        self.jitterMilliseconds = jitterMilliseconds
        self.fault429 = fault429
        self.fault500 = fault500
        self.fault502 = fault502
        self.fault503 = fault503
        self.faultDrop = faultDrop
        self.faultLost = faultLost
        self.faultSlow = faultSlow
        self.slowMilliseconds = slowMilliseconds
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The fault probabilities with their flag names, in draw order.
    var probabilities: [(name: String, value: Double)] {
        [
            ("fault-429", fault429), ("fault-500", fault500), ("fault-502", fault502),
            ("fault-503", fault503), ("fault-drop", faultDrop), ("fault-lost", faultLost),
            ("fault-slow", faultSlow),
        ]
    }

    /// Throws when a probability is outside `0...1`, they sum above 1, or a
    /// duration is negative.
    public func validate() throws(SandboxConfigurationError) {
        for (name, value) in probabilities where !(0...1).contains(value) {
            throw .invalidProbability(name: name, value: value)
        }
        let total = probabilities.reduce(0) { $0 + $1.value }
        guard total <= 1 + 1e-9 else { throw .probabilitiesExceedOne(total) }
        for (name, value) in [
            ("latency-ms", latencyMilliseconds), ("jitter-ms", jitterMilliseconds), ("slow-ms", slowMilliseconds),
            ("retry-after", retryAfterSeconds ?? 0),
        ] where value < 0 {
            throw .negativeValue(name: name, value: value)
        }
    }
}
