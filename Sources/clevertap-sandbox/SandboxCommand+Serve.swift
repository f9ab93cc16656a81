import ArgumentParser
import ClevertapSandbox
import Foundation
import Logging

extension SandboxCommand {
    /// Runs the sandbox until SIGINT or SIGTERM.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the sandbox (the default subcommand).",
            discussion: """
                Upload: POST /1/upload or /{region}/1/upload (in1 sg1 us1 aps3 mec1 eu1 sk1).
                Read a profile: GET /1/profile.json?identity=ID (or ?email=ADDRESS), or
                /{region}/1/profile.json; read-only, same credentials as upload.
                Inspect: GET /sandbox/stats, /sandbox/profiles[/{identity}], /sandbox/events?identity=,
                GET|POST /sandbox/faults, POST /sandbox/reset.
                With --tls-cert and --tls-key (PEM) it serves HTTPS, TLS 1.2 or later,
                and the first line is "listening on https://HOST:PORT".
                """
        )

        @Option(name: .long, help: "Address to bind.")
        var host: String?

        @Option(name: .long, help: "Port to bind; 0 picks a free one.")
        var port: Int?

        @Option(
            name: .customLong("account"),
            help: ArgumentHelp("An accepted account, repeatable.", valueName: "ID:PASSCODE:REGION")
        )
        var accounts: [String] = []

        @Option(
            name: .long,
            help: "JSON configuration file (accounts, host, port, seed, faults, limits, persist, tls_cert, tls_key)."
        )
        var config: String?

        @Option(
            name: .customLong("tls-cert"),
            help: ArgumentHelp("Serve HTTPS with this PEM certificate chain.", valueName: "PEM"))
        var tlsCertificate: String?

        @Option(
            name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "PEM"))
        var tlsKey: String?

        @OptionGroup(title: "Faults")
        var faults: FaultOptions

        @Option(name: .long, help: "Concurrent upload requests per account before HTTP 429.")
        var maxConcurrent: Int?

        @Option(name: .long, help: "Write the store as JSON to this file on shutdown.")
        var persist: String?

        @Option(name: .long, help: "trace, debug (one line per request), info, notice, warning, error, critical.")
        var logLevel: String = "info"

        func validate() throws {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("unknown log level \"\(logLevel)\"")
            }
        }

        func run() async throws {
            let configuration = try makeConfiguration()
            var logger = Logger(label: "clevertap-sandbox") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

            let server = try await SandboxServer.start(configuration, logger: logger, shutdownOnSignals: true)
            // Unbuffered, so a script reading the first line sees it at once.
            FileHandle.standardOutput.write(Data("listening on \(server.baseURL)\n".utf8))
            try await server.waitUntilStopped()
        }

        /// The file (if any), then the flags on top of it.
        private func makeConfiguration() throws -> SandboxConfiguration {
            do {
                var configuration = SandboxConfiguration(accounts: [])
                if let config {
                    let text = try String(contentsOfFile: config, encoding: .utf8)
                    configuration = try SandboxConfiguration(jsonText: text)
                }
                for spec in accounts {
                    configuration.accounts.append(try SandboxAccount(parsing: spec))
                }
                if let host { configuration.host = host }
                if let port { configuration.port = port }
                if let persist { configuration.persistPath = persist }
                if tlsCertificate != nil || tlsKey != nil {
                    // A flag overrides its file field; the pair must still be complete.
                    configuration.tls = try SandboxTLSFiles(
                        certificatePath: tlsCertificate ?? configuration.tls?.certificatePath,
                        privateKeyPath: tlsKey ?? configuration.tls?.privateKeyPath
                    )
                }
                if let maxConcurrent { configuration.limits.maxConcurrentRequests = maxConcurrent }
                faults.apply(to: &configuration)
                try configuration.validate()
                return configuration
            } catch let error as SandboxConfigurationError {
                throw ValidationError(error.description)
            } catch let error as CocoaError {
                throw ValidationError(
                    "cannot read \(config ?? "the configuration file"): \(error.localizedDescription)"
                )
            }
        }
    }
}
