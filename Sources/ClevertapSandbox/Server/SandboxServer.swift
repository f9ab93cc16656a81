import Hummingbird
import HummingbirdTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A running CleverTap Upload API sandbox: a real HTTP server on loopback, or
/// HTTPS when ``SandboxConfiguration/tls`` is set.
///
/// ```swift
/// let server = try await SandboxServer.start(
///     SandboxConfiguration(accounts: [SandboxAccount(id: "123", passcode: "secret", region: .in1)])
/// )
/// // POST \(server.baseURL)/in1/1/upload ...
/// let profile = server.profile(identity: "1189549")
/// try await server.shutdown()
/// ```
public final class SandboxServer: Sendable {
    /// The bound port (the one picked by the system when configured with 0).
    public let port: Int
    /// The bound host.
    public let host: String
    /// The configuration the server started with (faults may have changed since).
    public let configuration: SandboxConfiguration

    private let state: SandboxState
    private let serviceGroup: ServiceGroup
    private let runTask: Task<Void, any Error>
    private let persisted = NIOLockedValueBox(false)

    /// `https` when serving TLS, otherwise `http`.
    public var scheme: String { configuration.tls == nil ? "http" : "https" }

    /// `http://HOST:PORT` (`https://` with TLS), without a trailing slash.
    public var baseURL: String { "\(scheme)://\(host):\(port)" }

    private init(
        port: Int,
        configuration: SandboxConfiguration,
        state: SandboxState,
        serviceGroup: ServiceGroup,
        runTask: Task<Void, any Error>
    ) {
        self.port = port
        self.host = configuration.host
        self.configuration = configuration
        self.state = state
        self.serviceGroup = serviceGroup
        self.runTask = runTask
    }

    // MARK: - Lifecycle

    /// Binds and returns once the server is listening.
    ///
    /// - Parameters:
    ///   - configuration: Accounts, address, faults, seed, limits, TLS files.
    ///   - logger: Receives one debug line per request; silent (`.critical`) by default.
    ///   - shutdownOnSignals: Stop gracefully on SIGINT/SIGTERM (for the executable).
    public static func start(
        _ configuration: SandboxConfiguration,
        logger: Logger? = nil,
        shutdownOnSignals: Bool = false
    ) async throws -> SandboxServer {
        try configuration.validate()
        let tls = try configuration.tls?.makeServerConfiguration()
        let logger = logger ?? Self.silentLogger
        let state = SandboxState(configuration: configuration)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()

        let application = Application(
            responder: SandboxResponder(state: state),
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        var groupConfiguration = ServiceGroupConfiguration(
            services: [application],
            gracefulShutdownSignals: shutdownOnSignals ? [.sigterm, .sigint] : [],
            logger: logger
        )
        // Requests still waiting out an injected delay are cut short on shutdown;
        // anything else gets this long before the group cancels it.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(5)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        let runTask = Task {
            defer { portContinuation.finish() }
            try await serviceGroup.run()
        }

        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await runTask.value
            throw SandboxServerError.stoppedBeforeListening
        }
        return SandboxServer(
            port: port,
            configuration: configuration,
            state: state,
            serviceGroup: serviceGroup,
            runTask: runTask
        )
    }

    /// Stops accepting connections, lets requests finish (injected delays are cut
    /// short), writes the `persistPath` snapshot, and returns when stopped.
    public func shutdown() async throws {
        await serviceGroup.triggerGracefulShutdown()
        try await waitUntilStopped()
    }

    /// Returns once the server has stopped (after ``shutdown()`` or a signal),
    /// having written the `persistPath` snapshot.
    public func waitUntilStopped() async throws {
        let result = await runTask.result
        try persistIfConfigured()
        try result.get()
    }

    // MARK: - Inspection

    /// Counters since start or the last ``reset()``, with store figures.
    public func stats() -> SandboxStats {
        state.stats()
    }

    /// The last upload requests the concurrency limit let in (at most
    /// ``UploadLogEntry``'s log capacity, 10,000), oldest first, since start or the last ``reset()``.
    public func uploads() -> [UploadLogEntry] {
        state.uploads()
    }

    /// The merged properties of a profile, or `nil` when none was stored.
    ///
    /// - Parameter account: Look only in this account; by default the first
    ///   configured account that has the identity.
    public func profile(identity: String, account: String? = nil) -> [String: SandboxValue]? {
        state.profile(identity: identity, account: account)?.properties
    }

    /// The stored profile with its bookkeeping (last `ts`, update count).
    public func storedProfile(identity: String, account: String? = nil) -> SandboxProfile? {
        state.profile(identity: identity, account: account)
    }

    /// Identities with a stored profile, sorted.
    public func identities(account: String? = nil) -> [String] {
        state.identities(account: account)
    }

    /// Stored events in acceptance order, optionally filtered.
    public func events(identity: String? = nil, name: String? = nil, account: String? = nil) -> [SandboxEvent] {
        state.events(identity: identity, name: name, account: account)
    }

    /// The fault configuration in force.
    public var faults: FaultConfiguration {
        state.faultConfiguration
    }

    /// Replaces the fault configuration; a `seed` also restarts the fault sequence.
    public func setFaults(_ faults: FaultConfiguration, seed: UInt64? = nil) throws(SandboxConfigurationError) {
        try state.setFaults(faults, seed: seed)
    }

    /// Empties the store, zeroes the counters, empties the upload log and restarts the fault sequence.
    public func reset() {
        state.reset()
    }

    /// The whole store as JSON, the format of the `persistPath` snapshot.
    public func snapshotJSON() -> String {
        String(decoding: state.snapshot(), as: UTF8.self)
    }

    // MARK: - Private

    private func persistIfConfigured() throws {
        guard let path = state.persistPath else { return }
        let alreadyDone = persisted.withLockedValue { done in
            defer { done = true }
            return done
        }
        guard !alreadyDone else { return }
        try Data(state.snapshot()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private static let silentLogger: Logger = {
        var logger = Logger(label: "clevertap-sandbox")
        logger.logLevel = .critical
        return logger
    }()
}
