import ArgumentParser

/// `clevertap-sandbox`: a local server that behaves like CleverTap's Upload API.
@main
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clevertap-sandbox",
        abstract: "A local server that behaves like CleverTap's Upload API (POST /1/upload).",
        discussion: """
            Without a subcommand, serves: clevertap-sandbox --account 123:secret:in1
            The first line on stdout is "listening on http://HOST:PORT" ("https://" with --tls-cert/--tls-key).
            "clevertap-sandbox proxy" runs a loopback-only HTTP CONNECT proxy instead.
            """,
        subcommands: [Serve.self, LoadGen.self, Proxy.self],
        defaultSubcommand: Serve.self
    )
}
