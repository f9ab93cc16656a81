import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// An HTTP `CONNECT` proxy on loopback, for tests of a client behind a corporate
/// proxy: it answers `CONNECT host:port HTTP/1.1` with
/// `HTTP/1.1 200 Connection Established` and relays bytes both ways.
///
/// Only loopback targets are tunnelled (`127.0.0.0/8` written as an address,
/// `::1`, `localhost`); anything else is answered 403 without a lookup or a
/// connection, so a test can never reach another machine through it. Other
/// methods get 405, a malformed head 400, an unreachable target 502.
///
/// ```swift
/// let proxy = ConnectProxy()
/// let port = try await proxy.start()
/// // HTTPClient.Configuration(proxy: .server(host: "127.0.0.1", port: port)) ...
/// #expect(proxy.tunnels == [ProxyTunnel(host: "127.0.0.1", port: sandbox.port)])
/// await proxy.stop()
/// ```
///
/// Or scoped: `try await ConnectProxy.withRunning { proxy, port in ... }`.
public final class ConnectProxy: Sendable {
    /// The only address the proxy listens on.
    public static let host = "127.0.0.1"

    private enum State: Sendable {
        case idle
        case starting
        case running(port: Int, group: ServiceGroup, task: Task<Void, any Error>)
    }

    private let requestedPort: Int
    private let logger: Logger
    private let records = NIOLockedValueBox(ProxyRecords())
    private let state = NIOLockedValueBox(State.idle)

    /// - Parameters:
    ///   - port: Port to bind on 127.0.0.1; 0 picks a free one.
    ///   - logger: Receives a debug line per connection; silent by default.
    public init(port: Int = 0, logger: Logger? = nil) {
        self.requestedPort = port
        self.logger = logger ?? Self.silentLogger
    }

    // MARK: - Lifecycle

    /// Binds, starts accepting and returns the bound port.
    ///
    /// - Parameter shutdownOnSignals: Stop on SIGINT/SIGTERM (for the executable).
    @discardableResult
    public func start(shutdownOnSignals: Bool = false) async throws -> Int {
        let isIdle = state.withLockedValue { state in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard isIdle else { throw ConnectProxyError.alreadyStarted }

        let server: NIOAsyncChannel<ProxyListener.Connection, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: Self.host, port: requestedPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try ProxyListener.Connection(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                    }
                }
        } catch {
            state.withLockedValue { $0 = .idle }
            throw error
        }
        let port = server.channel.localAddress?.port ?? 0
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [ProxyListener(server: server, records: records, logger: logger)],
                gracefulShutdownSignals: shutdownOnSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
        let task = Task { try await group.run() }
        state.withLockedValue { $0 = .running(port: port, group: group, task: task) }
        return port
    }

    /// Closes the listener and every open tunnel, and returns once all of the
    /// proxy's tasks have ended. Does nothing when the proxy is not running.
    public func stop() async {
        guard case .running(_, let group, let task) = state.withLockedValue({ $0 }) else { return }
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Returns once the proxy has stopped (after ``stop()`` or a signal).
    public func waitUntilStopped() async throws {
        guard case .running(_, _, let task) = state.withLockedValue({ $0 }) else { return }
        try await task.value
    }

    /// Runs `body` with a started proxy, stopping it before returning or throwing.
    public static func withRunning<T>(
        port: Int = 0,
        logger: Logger? = nil,
        _ body: (ConnectProxy, Int) async throws -> T
    ) async throws -> T {
        let proxy = ConnectProxy(port: port, logger: logger)
        let bound = try await proxy.start()
        do {
            let result = try await body(proxy, bound)
            await proxy.stop()
            return result
        } catch {
            await proxy.stop()
            throw error
        }
    }

    // MARK: - Inspection

    /// The bound port once started.
    public var port: Int? {
        guard case .running(let port, _, _) = state.withLockedValue({ $0 }) else { return nil }
        return port
    }

    /// `http://127.0.0.1:PORT` once started.
    public var url: String? {
        port.map { "http://\(Self.host):\($0)" }
    }

    /// Tunnels opened so far, in order. A tunnel is recorded before the client
    /// receives its `200`, so it is here once the client's request is answered.
    public var tunnels: [ProxyTunnel] {
        records.withLockedValue { $0.tunnels }
    }

    /// `CONNECT` targets refused with 403 (not loopback), as the clients wrote them.
    public var refusedTargets: [String] {
        records.withLockedValue { $0.refusedTargets }
    }

    private static let silentLogger: Logger = {
        var logger = Logger(label: "clevertap-sandbox-proxy")
        logger.logLevel = .critical
        return logger
    }()
}
