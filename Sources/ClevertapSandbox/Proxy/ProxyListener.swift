import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The ``ConnectProxy``'s accept loop as a service: one child task per client
/// connection, all of them ended (tunnels cut) when the service is shut down.
struct ProxyListener: Service {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// How long a client may take to send its request head.
    static let headTimeout: TimeAmount = .seconds(10)
    /// How long dialling a loopback target may take.
    static let connectTimeout: TimeAmount = .seconds(5)

    let server: NIOAsyncChannel<Connection, Never>
    let records: NIOLockedValueBox<ProxyRecords>
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    try await server.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await handle(connection) }
                        }
                    }
                }
            }
        } catch {
            // Shutting down cancels the loop: that is how it ends, not a failure.
            logger.debug("proxy listener stopped: \(error)")
        }
    }

    // MARK: - One client

    private func handle(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var fromClient = inbound.makeAsyncIterator()
                // A client that never completes its request head must not hold a task forever.
                let deadline = connection.channel.eventLoop.scheduleTask(in: Self.headTimeout) {
                    connection.channel.close(promise: nil)
                }
                let head = try await Self.readHead(&fromClient)
                deadline.cancel()
                guard let head else { return }

                switch head.flatMap({ ConnectRequest.decide(head: $0.text) }) {
                case .failure(let refusal):
                    if case .notLoopback(let target) = refusal {
                        records.withLockedValue { $0.refusedTargets.append(target) }
                    }
                    logger.debug("proxy refused: \(refusal)")
                    try await outbound.write(ByteBuffer(string: refusal.responseHead))
                case .success(let tunnel):
                    let upstream: Connection
                    do {
                        upstream = try await dial(tunnel)
                    } catch {
                        logger.debug("proxy cannot reach \(tunnel): \(error)")
                        try await outbound.write(ByteBuffer(string: ProxyRefusal.unreachable(tunnel).responseHead))
                        return
                    }
                    records.withLockedValue { $0.tunnels.append(tunnel) }
                    logger.debug("proxy tunnel to \(tunnel)")
                    let early = (try? head.get().rest) ?? ByteBuffer()
                    try await relay(upstream, early: early, fromClient: &fromClient, toClient: outbound)
                }
            }
        } catch {
            logger.debug("proxy connection ended: \(error)")
        }
    }

    /// The request head as text and the bytes that followed it; `nil` when the
    /// client closed first, a failure when the head is too large.
    private static func readHead(
        _ fromClient: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    ) async throws -> Result<(text: String, rest: ByteBuffer), ProxyRefusal>? {
        var buffer = ByteBuffer()
        while var chunk = try await fromClient.next() {
            buffer.writeBuffer(&chunk)
            if let length = headLength(buffer) {
                let text = buffer.readString(length: length) ?? ""
                buffer.moveReaderIndex(forwardBy: 4)
                return .success((text, buffer))
            }
            if buffer.readableBytes > ConnectRequest.maxHeadBytes { return .failure(.malformed) }
        }
        return nil
    }

    /// The length of the head before its `\r\n\r\n`, or `nil` while it is incomplete.
    private static func headLength(_ buffer: ByteBuffer) -> Int? {
        let bytes = buffer.readableBytesView
        guard bytes.count >= 4 else { return nil }
        var index = bytes.startIndex
        while index <= bytes.endIndex - 4 {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 {
                return index - bytes.startIndex
            }
            index += 1
        }
        return nil
    }

    // MARK: - Tunnel

    private func dial(_ tunnel: ProxyTunnel) async throws -> Connection {
        let address = try SocketAddress(ipAddress: tunnel.dialHost, port: tunnel.port)
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(Self.connectTimeout)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(to: address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Connection(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
    }

    /// Tells the client the tunnel is open, then copies bytes both ways until
    /// both sides have finished sending; each side's end is passed on as a
    /// half-close. `upstream` is closed on return whatever happens.
    private func relay(
        _ upstream: Connection,
        early: ByteBuffer,
        fromClient: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        toClient: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        try await upstream.executeThenClose { fromUpstream, toUpstream in
            try await toClient.write(ByteBuffer(string: "HTTP/1.1 200 Connection Established\r\n\r\n"))
            if early.readableBytes > 0 { try await toUpstream.write(early) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await bytes in fromUpstream { try await toClient.write(bytes) }
                    toClient.finish()
                }
                while let bytes = try await fromClient.next() { try await toUpstream.write(bytes) }
                toUpstream.finish()
                try await group.waitForAll()
            }
        }
    }
}
