import ArgumentParser
import ClevertapSandbox
import Foundation
import Logging

extension SandboxCommand {
    /// Runs a loopback-only HTTP CONNECT proxy until SIGINT or SIGTERM.
    struct Proxy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a loopback-only HTTP CONNECT proxy on 127.0.0.1.",
            discussion: """
                For trying a client behind a corporate proxy: CONNECT host:port HTTP/1.1
                is answered "HTTP/1.1 200 Connection Established" and bytes are relayed
                both ways. Targets other than 127.0.0.0/8, ::1 and localhost get 403.
                The first line on stdout is "listening on http://127.0.0.1:PORT".
                """
        )

        @Option(name: .long, help: "Port to bind on 127.0.0.1; 0 picks a free one.")
        var port: Int = 0

        @Option(name: .long, help: "trace, debug (one line per connection), info, notice, warning, error, critical.")
        var logLevel: String = "info"

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("unknown log level \"\(logLevel)\"")
            }
        }

        func run() async throws {
            var logger = Logger(label: "clevertap-sandbox-proxy") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

            let proxy = ConnectProxy(port: port, logger: logger)
            let bound = try await proxy.start(shutdownOnSignals: true)
            // Unbuffered, so a script reading the first line sees it at once.
            FileHandle.standardOutput.write(Data("listening on http://\(ConnectProxy.host):\(bound)\n".utf8))
            try await proxy.waitUntilStopped()
        }
    }
}
