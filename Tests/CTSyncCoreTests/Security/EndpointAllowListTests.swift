import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncReport
@testable import CTSyncSession

/// The passcode only goes to CleverTap: endpoint overrides to other hosts are refused
/// unless the operator allows them (issue 17, item 1).
@Suite("Endpoint allow list")
struct EndpointAllowListTests {
    static let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret-passcode"]
    static let foreign = "https://collector.example.net/{region}"

    static func job(endpoint: String?, options: String = "") -> String {
        """
        version: 1
        name: crm
        destination:
          region: in1
          account_id: ${CLEVERTAP_ACCOUNT_ID}
          passcode: ${CLEVERTAP_PASSCODE}
        \(endpoint.map { "  endpoint: \($0)" } ?? "")
        source: { file: contacts.csv }
        object: profiles
        mappings:
          - { from: email, to: identity }
        \(options)
        """
    }

    // MARK: Endpoint

    @Test(arguments: [
        "https://in1.api.clevertap.com", "https://api.clevertap.com/", "https://API.CleverTap.com./",
        "https://{region}.api.clevertap.com", "https://clevertap.com/x", "http://127.0.0.1:9000/{region}",
        "http://[::1]:8080", "http://localhost:1", "https://127.0.0.2:8443", "https://sandbox.localhost",
    ])
    func cleverTapAndLoopbackAreAlwaysAllowed(_ url: String) async throws {
        let endpoint = try Endpoint(region: .in1, override: url)
        #expect(!endpoint.base.hasSuffix("/"))
    }

    @Test(arguments: [
        ("https://collector.example.net/{region}", "collector.example.net"),
        ("https://clevertap.com.evil.net", "clevertap.com.evil.net"),
        ("https://evilclevertap.com", "evilclevertap.com"),
        ("https://api.clevertap.com@evil.net/", "evil.net"),
        ("https://user:pw@evil.net:8443/in1", "evil.net"),
        ("https://10.0.0.7/", "10.0.0.7"),
    ])
    func otherHostsAreRefused(_ url: String, host: String) {
        #expect {
            try Endpoint(region: .in1, override: url)
        } throws: { error in
            guard let error = error as? EndpointError else { return false }
            return error.disallowedHost == host
                && error.message.contains("would send the CleverTap passcode to \(host)")
                && error.message.contains("CTSYNC_ALLOW_ENDPOINTS=\(host)")
        }
    }

    /// A host that ends where a query or fragment starts is that host.
    @Test(arguments: ["https://evil.net#.clevertap.com", "https://evil.net?.clevertap.com", "https://evil.net/.clevertap.com"])
    func theHostEndsAtPathQueryOrFragment(_ url: String) {
        #expect(Endpoint.disallowedHost(in: url, allowList: EndpointAllowList()) == "evil.net")
        #expect(throws: EndpointError.self) { try Endpoint(region: .in1, override: url) }
    }

    /// A host that URL parsers could read differently is refused rather than guessed.
    @Test(arguments: [
        "https://evil.net\\@api.clevertap.com", "https://evil.net\\.clevertap.com", "https://evil.net .clevertap.com",
        "https://evil.net%2F.clevertap.com", "https://evil.net\u{7}.clevertap.com",
    ])
    func ambiguousHostsAreRefused(_ url: String) {
        #expect(throws: EndpointError.self) { try Endpoint(region: .in1, override: url) }
        #expect(Endpoint.problem(with: url)?.contains("its host is ambiguous") == true, "\(url)")
    }

    @Test func allowListComesFromTheEnvironment() async throws {
        let list = EndpointAllowList(environment: ["CTSYNC_ALLOW_ENDPOINTS": " Collector.Example.NET., gw.example.org  x.example.com"])
        #expect(list.hosts == ["collector.example.net", "gw.example.org", "x.example.com"])
        let endpoint = try Endpoint(region: .sg1, override: Self.foreign, allowList: list)
        #expect(endpoint.base == "https://collector.example.net/sg1")
        #expect(throws: EndpointError.self) {
            try Endpoint(region: .sg1, override: "https://other.example.net", allowList: list)
        }
        // Plain HTTP stays loopback-only, allowed or not: the passcode would travel in clear.
        #expect(throws: EndpointError.self) {
            try Endpoint(region: .sg1, override: "http://collector.example.net", allowList: list)
        }
        #expect(EndpointAllowList(environment: [:]).hosts.isEmpty)
    }

    // MARK: Lint

    @Test func lintReportsAJobFileEndpointWhateverTheAllowList() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", Self.job(endpoint: Self.foreign))
        for environment in [Self.environment, Self.environment.merging(["CTSYNC_ALLOW_ENDPOINTS": "collector.example.net"]) { $1 }] {
            let result = Linter(environment: environment).lint(files: [path])
            let finding = try #require(result.diagnostics.first { $0.rule == .endpointNotAllowed })
            #expect(finding.severity == .error)
            #expect(finding.mark.line == 7)
            #expect(finding.mark.column == 13)
            #expect(finding.message.contains("collector.example.net"))
            #expect(finding.message.contains("CTSYNC_ALLOW_ENDPOINTS=collector.example.net"))
        }
        // CleverTap's own hosts and loopback are fine.
        for endpoint in ["https://eu1.api.clevertap.com", "http://127.0.0.1:9000/{region}"] {
            dir.write("job.yaml", Self.job(endpoint: endpoint))
            #expect(Linter(environment: Self.environment).lint(files: [path]).errorCount == 0)
        }
    }

    // MARK: JobSet.prepare (plan and run)

    @Test func prepareRefusesAJobFileEndpointWithItsPlace() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", Self.job(endpoint: Self.foreign))
        do {
            _ = try JobSet.prepare(paths: [path], environment: Self.environment, endpointOverride: nil)
            Issue.record("a foreign endpoint was accepted")
        } catch {
            #expect(error.exitStatus == .invalidSpec)
            guard case .invalidSpecs(let errors, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(errors.map(\.rule) == [.endpointNotAllowed])
            #expect(errors.first?.mark.line == 7)
        }
    }

    @Test func prepareAcceptsAnAllowedHost() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", Self.job(endpoint: Self.foreign))
        let environment = Self.environment.merging(["CTSYNC_ALLOW_ENDPOINTS": "collector.example.net"]) { $1 }
        let jobs = try JobSet.prepare(paths: [path], environment: environment, endpointOverride: nil)
        #expect(jobs.map(\.endpoint.base) == ["https://collector.example.net/in1"])
    }

    @Test func operatorOverridesGoThroughTheSameCheck() async throws {
        let dir = TemporaryDirectory()
        let path = dir.write("job.yaml", Self.job(endpoint: nil))
        for (override, environment, origin) in [
            (Self.foreign as String?, Self.environment, "--endpoint"),
            (nil, Self.environment.merging(["CTSYNC_ENDPOINT": Self.foreign]) { $1 }, "CTSYNC_ENDPOINT"),
        ] {
            do {
                _ = try JobSet.prepare(paths: [path], environment: environment, endpointOverride: override)
                Issue.record("\(origin): a foreign endpoint was accepted")
            } catch {
                #expect(error.exitStatus == .invalidSpec)
                guard case .endpointNotAllowed(let job, let named, _) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(job == "crm")
                #expect(named == origin)
                #expect(error.message.contains("CTSYNC_ALLOW_ENDPOINTS=collector.example.net"))
            }
            let allowed = environment.merging(["CTSYNC_ALLOW_ENDPOINTS": "collector.example.net"]) { $1 }
            let jobs = try JobSet.prepare(paths: [path], environment: allowed, endpointOverride: override)
            #expect(jobs.first?.endpoint.base == "https://collector.example.net/in1")
        }
    }

    // MARK: The binary

    @Test func binaryLintAndRunRefuseAForeignEndpoint() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", "email\nann@example.com\n")
        let job = dir.write("job.yaml", Self.job(endpoint: Self.foreign))
        let lint = try await ctsync("lint", job, environment: Self.environment)
        #expect(lint.status == 1)
        #expect(lint.stderr.contains("\(job):7:13: error: endpoint \"\(Self.foreign)\" would send the CleverTap passcode to collector.example.net"))
        #expect(lint.stderr.contains("[endpoint-not-allowed]"))
        let allowLint = try await ctsync(
            "lint", job, environment: Self.environment.merging(["CTSYNC_ALLOW_ENDPOINTS": "collector.example.net"]) { $1 })
        #expect(allowLint.status == 1, "lint ignores the operator's allow list")

        let state = dir.path + "/state.sqlite"
        let run = try await ctsync("run", job, "--state", state, "--quiet", environment: Self.environment, directory: dir.path)
        #expect(run.status == 2)
        #expect(run.stderr.contains("CTSYNC_ALLOW_ENDPOINTS=collector.example.net"))
        #expect(!FileManager.default.fileExists(atPath: state), "nothing was opened")
        let plan = try await ctsync("plan", job, environment: Self.environment)
        #expect(plan.status == 2)

        let flag = try await ctsync(
            "run", job, "--endpoint", "https://evil.example.org", "--state", state, environment: Self.environment)
        #expect(flag.status == 2)
        #expect(flag.stderr.contains("crm: --endpoint: endpoint \"https://evil.example.org\" would send the CleverTap passcode to evil.example.org"))
    }

    @Test func binaryPlanAndRunProceedWithTheOperatorsAllowSetting() async throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", "email\nann@example.com\n")
        let job = dir.write("job.yaml", Self.job(endpoint: Self.foreign))
        var environment = Self.environment
        environment["CTSYNC_ALLOW_ENDPOINTS"] = "collector.example.net"
        let plan = try await ctsync("plan", job, environment: environment)
        #expect(plan.status == 0, "\(plan.stderr)")

        // A name for this machine that is not spelled as loopback, so only the allow list
        // admits it; a port nobody listens on, so the run gets past the check and cannot
        // connect, without a network: the job ends aborted (exit 3) naming the host.
        guard let host = LoopbackName.find() else { return }
        let url = "https://\(host):\(LoopbackName.closedPort())/{region}"
        dir.write("job.yaml", Self.job(endpoint: url, options: "options: { max_attempts: 1, request_timeout: 2s }"))
        environment["CTSYNC_ALLOW_ENDPOINTS"] = host
        environment["CTSYNC_RETRY_BASE_MS"] = "1"
        let report = dir.path + "/report.json"
        let run = try await ctsync(
            "run", job, "--state", dir.path + "/state.sqlite", "--report", report, "--quiet", environment: environment,
            directory: dir.path)
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("connection to \(host.lowercased()) refused"), "\(run.stderr)")
        #expect(!run.stderr.contains("endpoint-not-allowed"))
        let document = try OutputContract.decode(RunReportDocument.self, file: report, schema: "report")
        #expect(document.job.endpoint == url.replacingOccurrences(of: "{region}", with: "in1"))
    }
}

/// A host name that resolves to loopback but is not written as loopback (the machine's
/// own name, usually), for end-to-end tests of the allow list.
enum LoopbackName {
    static func find() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        let name = String(cString: buffer)
        guard !name.isEmpty, !Endpoint.isLoopback(name), !name.contains(":") else { return nil }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        guard let address = first.pointee.ai_addr else { return nil }
        let isLoopback = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
            UInt32(bigEndian: $0.pointee.sin_addr.s_addr) >> 24 == 127
        }
        return isLoopback ? name : nil
    }

    /// A loopback TCP port that was free a moment ago.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
