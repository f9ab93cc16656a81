import Foundation
import Testing

/// The built binary against endpoints it cannot connect to: it ends the job quickly as
/// `aborted` (exit 3), names the host and how to point elsewhere, and counts nothing
/// as sent or possibly duplicated, since nothing left the machine.
@Suite("unreachable endpoints", .serialized)
struct UnreachableEndpointTests {
    /// Runs the profiles job against `endpoint` and checks the honest abort.
    func expectHonestAbort(endpoint: String, host: String) async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(40)
            let started = ContinuousClock.now
            let (result, report) = try await fixture.run(
                fixture.profilesJob(batchSize: 10, concurrency: 4),
                environment: ["CTSYNC_ENDPOINT": endpoint, "CTSYNC_ALLOW_ENDPOINTS": host])
            let elapsed = ContinuousClock.now - started
            let context = "endpoint \(endpoint), exit \(result.status) after \(elapsed)\nstderr: \(result.stderr)"
            #expect(result.status == 3, "\(context)")
            #expect(elapsed < .seconds(15), "\(context)")
            #expect(report.status == .aborted, "\(context)")
            #expect(report.counts.planned == 40, "\(context)")
            #expect(report.counts.sent == 0, "\(context)")
            #expect(report.counts.possiblyDuplicated == 0, "\(context)")
            #expect(report.counts.failed == 0, "\(context)")
            #expect(report.http.requests == 0, "\(context)")
            #expect(report.abortReason?.contains(host) == true, "\(context)")
            #expect(result.stderr.contains(host), "\(context)")
            #expect(result.stderr.contains("--endpoint") && result.stderr.contains("CTSYNC_ENDPOINT"), "\(context)")
            #expect(fixture.server.stats().requests == 0)
        }
    }

    @Test func anUnresolvableHostAbortsWithNothingSent() async throws {
        try await expectHonestAbort(endpoint: "https://nonexistent.invalid", host: "nonexistent.invalid")
    }

    @Test func aRefusedLoopbackPortAbortsWithNothingSent() async throws {
        let port = try closedLoopbackPort()
        try await expectHonestAbort(endpoint: "http://127.0.0.1:\(port)/{region}", host: "127.0.0.1")
    }
}

/// A loopback port nothing listens on: bound, then closed.
func closedLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
