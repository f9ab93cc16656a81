import ArgumentParser
import ClevertapSandbox

/// The fault flags; each overrides the configuration file when given.
struct FaultOptions: ParsableArguments {
    @Option(name: .customLong("latency-ms"), help: "Fixed delay before processing each upload.")
    var latency: Int?

    @Option(name: .customLong("jitter-ms"), help: "Extra delay, uniform in 0...N ms.")
    var jitter: Int?

    @Option(name: .customLong("fault-429"), help: "Probability of an injected HTTP 429.")
    var fault429: Double?

    @Option(name: .customLong("fault-500"), help: "Probability of an HTTP 500.")
    var fault500: Double?

    @Option(name: .customLong("fault-502"), help: "Probability of an HTTP 502 (HTML body).")
    var fault502: Double?

    @Option(name: .customLong("fault-503"), help: "Probability of an HTTP 503.")
    var fault503: Double?

    @Option(name: .customLong("fault-drop"), help: "Probability of closing the connection before processing.")
    var faultDrop: Double?

    @Option(name: .customLong("fault-lost"), help: "Probability of storing the batch, then closing without a response.")
    var faultLost: Double?

    @Option(name: .customLong("fault-slow"), help: "Probability of storing the batch, then answering after --slow-ms.")
    var faultSlow: Double?

    @Option(name: .customLong("slow-ms"), help: "Delay of a slow response (default 30000).")
    var slow: Int?

    @Option(name: .customLong("retry-after"), help: "Send Retry-After: N (seconds) with 429 and 503.")
    var retryAfter: Int?

    @Option(name: .long, help: "Seed of the fault sequence (default 0).")
    var seed: UInt64?

    func apply(to configuration: inout SandboxConfiguration) {
        var faults = configuration.faults
        if let latency { faults.latencyMilliseconds = latency }
        if let jitter { faults.jitterMilliseconds = jitter }
        if let fault429 { faults.fault429 = fault429 }
        if let fault500 { faults.fault500 = fault500 }
        if let fault502 { faults.fault502 = fault502 }
        if let fault503 { faults.fault503 = fault503 }
        if let faultDrop { faults.faultDrop = faultDrop }
        if let faultLost { faults.faultLost = faultLost }
        if let faultSlow { faults.faultSlow = faultSlow }
        if let slow { faults.slowMilliseconds = slow }
        if let retryAfter { faults.retryAfterSeconds = retryAfter }
        configuration.faults = faults
        if let seed { configuration.seed = seed }
    }
}
