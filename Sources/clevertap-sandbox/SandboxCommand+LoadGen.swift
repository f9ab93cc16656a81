import ArgumentParser
import ClevertapSandbox

extension SandboxCommand {
    /// Measures a running sandbox (or anything speaking the Upload API on plain HTTP).
    struct LoadGen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "loadgen",
            abstract:
                "Post valid 1000-record batches over concurrent keep-alive connections; print JSON with records/s.",
            aliases: ["bench"]
        )

        @Option(name: .long, help: "http://HOST:PORT, or a full upload URL such as http://HOST:PORT/in1/1/upload.")
        var url: String

        @Option(name: .long, help: "X-CleverTap-Account-Id.")
        var account: String = "123"

        @Option(name: .long, help: "X-CleverTap-Passcode.")
        var passcode: String = "secret"

        @Option(name: .long, help: "Concurrent connections, one request in flight each.")
        var clients: Int = 15

        @Option(name: .long, help: "Requests to send in total.")
        var batches: Int = 1000

        @Option(name: .long, help: "Records per request.")
        var batchSize: Int = 1000

        @Option(name: .long, help: "Distinct pre-built batches (bounds the identities to this times the batch size).")
        var distinctBatches: Int = 16

        @Option(name: .long, help: "profiles or events.")
        var kind: String = "profiles"

        @Option(name: .long, help: "Seconds to wait for each answer.")
        var timeout: Int = 60

        func validate() throws {
            guard LoadGeneratorOptions.RecordKind(rawValue: kind) != nil else {
                throw ValidationError("--kind must be profiles or events")
            }
        }

        func run() async throws {
            let options = LoadGeneratorOptions(
                url: url,
                accountID: account,
                passcode: passcode,
                clients: clients,
                batches: batches,
                batchSize: batchSize,
                distinctBatches: distinctBatches,
                kind: LoadGeneratorOptions.RecordKind(rawValue: kind) ?? .profiles,
                timeoutSeconds: timeout
            )
            do {
                let report = try await LoadGenerator.run(options)
                print(report.jsonText)
            } catch let error as LoadGeneratorError {
                throw ValidationError(error.description)
            }
        }
    }
}
