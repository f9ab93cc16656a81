import Foundation
import Synchronization
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncSession

/// Destinations: normalised endpoints, state kept per job and destination, and what a
/// plan says about the state it found.
@Suite("destinations in state")
struct DestinationStateTests {
    typealias P = PlannerTests

    @Test(arguments: [
        ("https://in1.api.clevertap.com", "https://in1.api.clevertap.com", "in1.api.clevertap.com"),
        ("HTTPS://In1.API.CleverTap.com:443/", "https://in1.api.clevertap.com", "in1.api.clevertap.com"),
        ("http://127.0.0.1:9000/{region}/", "http://127.0.0.1:9000/in1", "127.0.0.1:9000"),
        ("http://LOCALHOST:80/Path/", "http://localhost/Path", "localhost"),
        ("https://user@proxy.example.com:8443/x?y=1", "https://proxy.example.com:8443/x", "proxy.example.com:8443"),
        ("http://[::1]:9000/{region}", "http://[::1]:9000/in1", "[::1]:9000"),
    ])
    func endpointsAreNormalised(_ override: String, _ normalised: String, _ host: String) throws {
        let endpoint = try Endpoint(
            region: .in1, override: override, allowList: EndpointAllowList(hosts: ["proxy.example.com"]))
        #expect(endpoint.normalized == normalised)
        #expect(endpoint.hostAndPort == host)
    }

    @Test func productionOrOverride() throws {
        let production = CleverTapDestination(account: "123", region: .eu1, endpoint: try Endpoint(region: .eu1, override: nil))
        #expect(production.isProduction)
        #expect(production.description == "production CleverTap (account 123, region eu1, api.clevertap.com)")
        let sandbox = CleverTapDestination(
            account: "123", region: .in1, endpoint: try Endpoint(region: .in1, override: "http://127.0.0.1:9000/{region}"))
        #expect(!sandbox.isProduction)
        #expect(sandbox.description.hasPrefix("endpoint override http://127.0.0.1:9000/in1 (account 123, region in1"))
        // Another region's host is CleverTap, but not this job's destination: an override.
        let elsewhere = CleverTapDestination(
            account: "123", region: .in1, endpoint: try Endpoint(region: .in1, override: "https://sg1.api.clevertap.com"))
        #expect(!elsewhere.isProduction)
    }

    /// What decides a record's look is pinned: this exact canonical spec (and so its
    /// fingerprint) is what state holds. A change here resyncs every profiles job.
    @Test func canonicalSpecIsPinned() throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir)
        let spec = try P.job(dir, try String(contentsOfFile: dir.path + "/crm.yaml", encoding: .utf8), name: "crm.yaml")
        let destination = CleverTapDestination(
            account: "123", region: .in1, endpoint: try Endpoint(region: .in1, override: StateFixtures.endpoint))
        let canonical = CanonicalSpec.of(spec, destination: destination)
        #expect(
            canonical.json
                == #"{"ctsync_spec":2,"destination":{"account":"123","endpoint":"http://127.0.0.1:47801/in1","region":"in1"},"identity_kind":null,"mappings":{"Customer Type":{"from":"plan","transform":[{"default":"Free \"tier\""}]},"Last Seen":{"from":"seen_ms","transform":["ms_to_s","date"]},"Name":{"from":"name","transform":[]},"Phone":{"from":"phone","transform":[{"e164":"+1"}]},"Score":{"transform":[],"value":{"number":"1.50"}},"Tags":{"from":"tags","transform":[{"split":"|"}]},"identity":{"from":"email","transform":["trim","lowercase"]}},"object":"profiles","primary_key":"id"}"#
        )
        #expect(String(format: "%016llx", canonical.fingerprint) == String(format: "%016llx", RecordHash(bytes: Array(canonical.json.utf8)).high))
        // The legacy fingerprint of the same job is the one ctsync 0.1 stored (the fixture).
        #expect(LegacySpecFingerprint.of(spec, endpoint: "http://127.0.0.1:47801/in1") == UInt64(bitPattern: 5_593_767_965_389_563_038))
        // Mapping order does not matter any more.
        let reordered = try P.job(
            dir,
            try String(contentsOfFile: dir.path + "/crm.yaml", encoding: .utf8).replacing(
                "  - { from: name, to: Name }\n", with: "") + "  - { from: name, to: Name }\n", name: "crm.yaml")
        #expect(CanonicalSpec.of(reordered, destination: destination) == canonical)
    }

    @Test func changesSayWhatChanged() throws {
        let dir = TemporaryDirectory()
        try StateFixtures.copyJobs(to: dir)
        let yaml = try String(contentsOfFile: dir.path + "/crm.yaml", encoding: .utf8)
        let destination = CleverTapDestination(account: "123", region: .in1, endpoint: try Endpoint(region: .in1, override: nil))
        let before = CanonicalSpec.of(try P.job(dir, yaml, name: "crm.yaml"), destination: destination)
        let edited =
            yaml
            .replacing("[{ e164: \"+1\" }]", with: "[trim, { e164: \"+44\" }]")
            .replacing("  - { from: tags, to: Tags, transform: [{ split: \"|\" }] }\n", with: "")
            .replacing("from: name, to: Name", with: "from: full_name, to: Name")
            .replacing("primary_key: id", with: "primary_key: email")
            + "  - { from: plan, to: Plan }\n"
        let after = CanonicalSpec.of(try P.job(dir, edited, name: "crm.yaml"), destination: destination)
        let changes = after.changes(from: before.json)
        #expect(
            changes.map(\.description) == [
                "primary_key: \"id\" → \"email\"",
                "mapping to Name: from \"name\" → \"full_name\"",
                "mapping to Phone: transform [{ e164: \"+1\" }] → [\"trim\", { e164: \"+44\" }]",
                "mapping to Plan added (from \"plan\")",
                "mapping to Tags removed (was from \"tags\", transform [{ split: \"|\" }])",
            ])
        #expect(changes[2] == SpecChange(field: "mapping.transform", target: "Phone", before: "[{ e164: \"+1\" }]", after: "[\"trim\", { e164: \"+44\" }]"))
        #expect(after.changes(from: after.json) == [])
        #expect(after.changes(from: "{\"ctsync_spec\":9}").map(\.field) == ["spec"])
    }

    /// The issue's case: rows delivered to the sandbox are not delivered to production.
    @Test(arguments: StateBackend.configured)
    func aSandboxRunNeverMarksProductionDelivered(_ backend: StateBackend) async throws {
        try await StateBackendTests.withStore(backend) { store, dir in
            dir.write("contacts.csv", P.contacts)
            let spec = try P.job(dir, P.profilesJob)
            let sandbox = try Endpoint(region: .in1, override: "http://127.0.0.1:9000/{region}")
            let production = try Endpoint(region: .in1, override: nil)
            let collected = Mutex<[PlannedRecord]>([])
            let first = try Planner(spec: spec, state: store, endpoint: sandbox, full: false).run { chunk in
                collected.withLock { $0 += chunk.records }
            }
            let records = collected.withLock { $0 }
            #expect(first.baseline.kind == .noState)
            try store.complete(first, records, job: "crm")

            let toSandbox = try Planner(spec: spec, state: store, endpoint: sandbox, full: false).run { _ in }
            #expect(toSandbox.baseline.kind == .unchanged && toSandbox.counts.unchanged == 3)

            let toProduction = try Planner(spec: spec, state: store, endpoint: production, full: false).run { _ in }
            #expect(toProduction.baseline.kind == .noState)
            #expect(!toProduction.mappingChanged)
            #expect(toProduction.counts.added == 3 && toProduction.counts.unchanged == 0)
            #expect(toProduction.baseline.otherDestinations.map(\.endpoint) == ["http://127.0.0.1:9000/in1"])
            let messages = toProduction.baseline.messages(object: .profiles)
            #expect(messages.first == "no earlier run to this destination: every row is new")
            #expect(messages.contains { $0.contains("another destination: endpoint override http://127.0.0.1:9000/in1") })
            #expect(try store.acknowledgedCount(job: toProduction.key("crm")) == 0)
            #expect(try store.acknowledgedCount(job: first.key("crm")) == 3)
        }
    }

    @Test(arguments: StateBackend.configured)
    func aChangedSpecIsExplainedAndAnIncompleteRunSaysSo(_ backend: StateBackend) async throws {
        try await StateBackendTests.withStore(backend) { store, dir in
            dir.write("contacts.csv", P.contacts)
            let spec = try P.job(dir, P.profilesJob)
            let (first, records, _) = try P.plan(spec, state: store)
            // Acknowledged, but the run did not complete: no spec recorded.
            try store.acknowledge(records.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: first.key("crm"), spec: first.specFingerprint)
            let (incomplete, _, _) = try P.plan(spec, state: store)
            #expect(incomplete.baseline.kind == .noCompletedRun)
            #expect(incomplete.counts.unchanged == 3)
            try store.setSpec(first.canonicalSpec, job: first.key("crm"))

            let changed = try P.job(dir, P.profilesJob.replacing("{ from: name, to: Name }", with: "{ from: name, to: Name, transform: [uppercase] }"))
            let (second, planned, _) = try P.plan(changed, state: store)
            #expect(second.baseline.kind == .specChanged)
            #expect(second.mappingChanged)
            #expect(planned.count == 3)
            #expect(second.baseline.changes.map(\.description) == ["mapping to Name: transform [] → [\"uppercase\"]"])
            #expect(
                second.baseline.messages(object: .profiles) == [
                    "spec changed since the last run to this destination (full resync of profiles):",
                    "  mapping to Name: transform [] → [\"uppercase\"]",
                ])
            let text = PlanRenderer.text(second, spec: changed, revealPII: false)
            #expect(text.hasPrefix("Destination: production CleverTap (account 123, region in1, in1.api.clevertap.com)\nPlan for crm"))
            #expect(text.contains("  mapping to Name: transform [] → [\"uppercase\"]\n"))
        }
    }

    /// A renamed job finds no state under its new name; the plan names the old one.
    @Test(arguments: StateBackend.configured)
    func aRenamedJobIsRecognisedBySourceAndDestination(_ backend: StateBackend) async throws {
        try await StateBackendTests.withStore(backend) { store, dir in
            dir.write("contacts.csv", P.contacts)
            let spec = try P.job(dir, P.profilesJob)
            let (first, records, _) = try P.plan(spec, state: store)
            let run = RunRecord(id: "r1", job: first.key("crm"), startedAt: Date(), ctsyncVersion: "test", host: "h", pid: 1)
            try store.runStarted(run, source: SourceIdentity.of(spec))
            try store.complete(first, records, job: "crm")

            let renamed = try P.job(dir, P.profilesJob.replacing("name: crm", with: "name: crm-contacts"))
            let (plan, _, _) = try P.plan(renamed, state: store)
            #expect(plan.baseline.kind == .noState)
            #expect(plan.baseline.renamedFrom == ["crm"])
            #expect(
                plan.baseline.messages(object: .profiles).contains(
                    "no state for this job: was it renamed? state holds job \"crm\" with the same source and destination; `ctsync state rename crm NEW` moves its state to the new name"
                ))
            // Another source is not a rename.
            dir.write("other.csv", P.contacts)
            let other = try P.job(dir, P.profilesJob.replacing("name: crm", with: "name: other").replacing("contacts.csv", with: "other.csv"))
            #expect(try P.plan(other, state: store).0.baseline.renamedFrom == [])
        }
    }
}
