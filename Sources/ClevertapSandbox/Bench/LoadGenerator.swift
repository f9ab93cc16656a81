import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Posts pre-built valid batches over N concurrent keep-alive HTTP/1.1
/// connections and measures throughput: the sandbox's benchmark.
///
/// It speaks HTTP through SwiftNIO directly, which the sandbox already links,
/// and keeps its own CPU cost low (bodies are built once, responses are small)
/// because on a 2-core machine it shares the CPU with the server it measures.
public enum LoadGenerator {
    /// Runs until `options.batches` requests were answered or failed.
    public static func run(_ options: LoadGeneratorOptions) async throws -> LoadGeneratorReport {
        for (name, value) in [
            ("clients", options.clients), ("batches", options.batches), ("batch-size", options.batchSize),
            ("distinct-batches", options.distinctBatches),
        ] where value < 1 {
            throw LoadGeneratorError.invalidCount(name: name, value: value)
        }
        let endpoint = try options.endpoint()
        let bodies = (0..<min(options.distinctBatches, options.batches)).map { index in
            ByteBuffer(bytes: BatchFactory.body(kind: options.kind, index: index, size: options.batchSize))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(endpoint.host):\(endpoint.port)")
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "X-CleverTap-Account-Id", value: options.accountID)
        headers.add(name: "X-CleverTap-Passcode", value: options.passcode)
        let work = Work(
            host: endpoint.host,
            port: endpoint.port,
            path: endpoint.path,
            headers: headers,
            bodies: bodies,
            batchSize: options.batchSize,
            timeout: .seconds(Int64(options.timeoutSeconds)),
            tickets: NIOLockedValueBox(options.batches)
        )

        let clock = ContinuousClock()
        let start = clock.now
        let tallies = await withTaskGroup(of: Tally.self) { group in
            for _ in 0..<options.clients {
                group.addTask { await work.client() }
            }
            var total = Tally()
            for await tally in group { total.merge(tally) }
            return total
        }
        let elapsed = clock.now - start

        let latencies = tallies.latencies.sorted()
        func percentile(_ fraction: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * fraction))]
        }
        return LoadGeneratorReport(
            clients: options.clients,
            batchSize: options.batchSize,
            requests: tallies.requests,
            recordsSent: tallies.requests * options.batchSize,
            recordsProcessed: tallies.recordsProcessed,
            errors: tallies.errors,
            statusCounts: tallies.statusCounts,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
            latencyP50: percentile(0.5),
            latencyP95: percentile(0.95),
            latencyMax: latencies.last ?? 0
        )
    }

    // MARK: - Workers

    /// What one client counted.
    private struct Tally: Sendable {
        var requests = 0
        var recordsProcessed = 0
        var errors = 0
        var statusCounts: [Int: Int] = [:]
        var latencies: [Double] = []

        mutating func merge(_ other: Tally) {
            requests += other.requests
            recordsProcessed += other.recordsProcessed
            errors += other.errors
            statusCounts.merge(other.statusCounts, uniquingKeysWith: +)
            latencies.append(contentsOf: other.latencies)
        }
    }

    private struct Work: Sendable {
        let host: String
        let port: Int
        let path: String
        let headers: HTTPHeaders
        let bodies: [ByteBuffer]
        let batchSize: Int
        let timeout: TimeAmount
        /// Requests left to send, shared by the clients.
        let tickets: NIOLockedValueBox<Int>

        /// The next batch number, or `nil` when all were handed out.
        func takeTicket() -> Int? {
            tickets.withLockedValue { left in
                guard left > 0 else { return nil }
                left -= 1
                return left
            }
        }

        /// One client: a keep-alive connection, reopened after any failure.
        func client() async -> Tally {
            var tally = Tally()
            var pending = takeTicket()
            while let ticket = pending {
                do {
                    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .connect(host: host, port: port) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                                    wrappingChannelSynchronously: channel
                                )
                            }
                        }
                    let connection = channel.channel
                    pending = try await channel.executeThenClose { inbound, outbound in
                        var responses = inbound.makeAsyncIterator()
                        var current: Int? = ticket
                        while let number = current {
                            let started = ContinuousClock.now
                            // Closing the connection at the deadline ends the wait for an answer.
                            let deadline = connection.eventLoop.scheduleTask(in: timeout) {
                                connection.close(promise: nil)
                            }
                            defer { deadline.cancel() }
                            let (status, processed) = try await exchange(
                                body: bodies[number % bodies.count],
                                outbound: outbound,
                                responses: &responses
                            )
                            let elapsed = ContinuousClock.now - started
                            tally.requests += 1
                            tally.recordsProcessed += processed
                            tally.statusCounts[status, default: 0] += 1
                            tally.latencies.append(
                                Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds)
                                    * 1e-15
                            )
                            current = takeTicket()
                        }
                        return nil
                    }
                } catch {
                    // The batch in flight is lost; carry on with a new connection.
                    tally.errors += 1
                    pending = takeTicket()
                }
            }
            return tally
        }

        /// Sends one request and reads its answer: the status and, for a 200,
        /// the body's `processed` count.
        private func exchange(
            body: ByteBuffer,
            outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>,
            responses: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        ) async throws -> (status: Int, processed: Int) {
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
            try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(body)), .end(nil)])

            var status = 0
            var answer = ByteBuffer()
            while true {
                guard let part = try await responses.next() else { throw ChannelError.eof }
                switch part {
                case .head(let responseHead):
                    status = Int(responseHead.status.code)
                case .body(var chunk):
                    answer.writeBuffer(&chunk)
                case .end:
                    return (status, status == 200 ? Self.processedCount(in: answer) : 0)
                }
            }
        }

        private static func processedCount(in body: ByteBuffer) -> Int {
            let parsed = try? body.withUnsafeReadableBytes { bytes in try JSONParser.parse(bytes) }
            return parsed?["processed"]?.intValue ?? 0
        }
    }
}
