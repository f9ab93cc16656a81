/// What a load-generator run measured.
public struct LoadGeneratorReport: Sendable, Equatable {
    public var clients: Int
    public var batchSize: Int
    /// Requests that got a complete HTTP answer.
    public var requests: Int
    /// Records in those requests.
    public var recordsSent: Int
    /// Records the server reported as processed.
    public var recordsProcessed: Int
    /// Requests without a complete answer (connection errors, timeouts).
    public var errors: Int
    /// Answers by HTTP status.
    public var statusCounts: [Int: Int]
    public var seconds: Double
    /// Request latencies in milliseconds: median, 95th percentile and maximum.
    public var latencyP50: Double
    public var latencyP95: Double
    public var latencyMax: Double

    /// Processed records per wall-clock second.
    public var recordsPerSecond: Double { seconds > 0 ? Double(recordsProcessed) / seconds : 0 }
    /// Answered requests per wall-clock second.
    public var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    /// The report as one JSON object (sorted keys).
    public var jsonText: String {
        var statuses: [String: SandboxValue] = [:]
        for (status, count) in statusCounts { statuses[String(status)] = .int(count) }
        let value: SandboxValue = [
            "clients": .int(clients),
            "batch_size": .int(batchSize),
            "requests": .int(requests),
            "records_sent": .int(recordsSent),
            "records_processed": .int(recordsProcessed),
            "errors": .int(errors),
            "status": .object(statuses),
            "seconds": .double(Self.rounded(seconds, places: 3)),
            "records_per_second": .int(Int(recordsPerSecond.rounded())),
            "requests_per_second": .double(Self.rounded(requestsPerSecond, places: 1)),
            "latency_ms": [
                "p50": .double(Self.rounded(latencyP50, places: 1)),
                "p95": .double(Self.rounded(latencyP95, places: 1)),
                "max": .double(Self.rounded(latencyMax, places: 1)),
            ],
        ]
        return value.jsonText
    }

    private static func rounded(_ value: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
