import NIOCore
import NIOPosix

/// A plain TCP connection to a local port, for speaking to the proxy byte by byte.
///
/// Every connection is closed by the event loop after `lifetime` at the latest,
/// which ends any read still waiting: the bound on these tests' reads.
struct RawConnection {
    typealias Channel = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    let channel: Channel

    static func open(port: Int, lifetime: TimeAmount = .seconds(15)) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Channel(wrappingChannelSynchronously: channel)
                }
            }
        let raw = channel.channel
        raw.eventLoop.scheduleTask(in: lifetime) { raw.close(promise: nil) }
        return RawConnection(channel: channel)
    }

    /// Sends `request`, then reads until the peer closes (or the lifetime ends).
    static func exchange(port: Int, _ request: String) async throws -> String {
        let connection = try await open(port: port)
        return try await connection.channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var answer = ByteBuffer()
            do {
                for try await var chunk in inbound { answer.writeBuffer(&chunk) }
            } catch {
                // A reset after the answer still leaves the answer to check.
            }
            return String(buffer: answer)
        }
    }

    /// Reads until the text received so far contains `marker`; what was read, or
    /// less when the peer closed first.
    static func read(
        _ reader: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        until marker: String
    ) async throws -> String {
        var text = ""
        while !text.contains(marker), let chunk = try await reader.next() {
            text += String(buffer: chunk)
        }
        return text
    }
}
