import ClevertapSandbox
import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// `ctsync check`, the built binary, against the sandbox over loopback HTTP.
@Suite("ctsync check against the sandbox", .serialized)
struct CheckCommandTests {
    /// Runs `ctsync check ARGS --state <fixture state>` in the fixture's folder.
    static func check(
        _ fixture: RunFixture, _ arguments: [String], environment: [String: String] = [:], state: String? = nil
    ) async throws -> ProcessResult {
        try await runProcessDetached(
            Products.ctsync, ["check"] + arguments + ["--state", state ?? fixture.statePath],
            environment: fixture.environment.merging(environment) { _, new in new }, directory: fixture.dir.path)
    }

    static func document(_ result: ProcessResult) throws -> CheckDocument {
        try JSONDecoder().decode(CheckDocument.self, from: Data(result.stdout.utf8))
    }

    @Test func rightCredentialsPassAndNothingIsStored() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(10)
            let job = fixture.profilesJob()
            let before = fixture.server.stats()
            let result = try await Self.check(fixture, [job])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            // Not a terminal: ASCII marks, one line a check.
            for kind in CheckKind.allCases {
                let name = kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                #expect(result.stdout.contains("\n  ok   \(name)  "), "\(kind): \(result.stdout)")
            }
            #expect(result.stdout.contains("127.0.0.1:\(fixture.server.port) accepted the account ID and passcode"))
            #expect(result.stdout.hasSuffix("All checks passed (1 job).\n"))
            let after = fixture.server.stats()
            #expect(after.profileReads == before.profileReads + 1)
            #expect(after.requests == before.requests)
            #expect(after.profiles == 0)
            #expect(after.events == 0)
            #expect(fixture.server.identities(account: fixture.account).isEmpty)
            // Read-only state: nothing created, not even the lock folder.
            #expect(!FileManager.default.fileExists(atPath: fixture.statePath))
            #expect(!FileManager.default.fileExists(atPath: fixture.statePath + ".locks"))
            // The passcode is never printed.
            #expect(!result.stdout.contains(fixture.passcode) && !result.stderr.contains(fixture.passcode))
        }
    }

    @Test func wrongPasscodeFailsNamingTheCause() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let job = fixture.profilesJob()
            let result = try await Self.check(fixture, [job], environment: ["CLEVERTAP_PASSCODE": "wrong-passcode"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("  FAIL credentials  127.0.0.1:\(fixture.server.port) refused the credentials with 401 (\"Invalid Passcode\"): the passcode is wrong"), "\(result.stdout)")
            #expect(result.stdout.contains("fix: check destination.account_id and destination.passcode"))
            #expect(result.stdout.contains("  ok   source"))
            #expect(result.stdout.hasSuffix("1 check failed (1 job).\n"))
            #expect(fixture.server.stats().profiles == 0)
            #expect(!result.stdout.contains("wrong-passcode"))
        }
    }

    @Test func wrongRegionFailsNamingTheRegion() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            _ = fixture.profilesJob()
            let job = fixture.dir.write("us.yaml", fixture.dir.read("profiles.yaml").replacing("region: in1", with: "region: us1"))
            let result = try await Self.check(fixture, [job, "--format", "json"])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            let document = try Self.document(result)
            #expect(document.formatVersion == 1)
            #expect(!document.ok)
            let credentials = try #require(document.jobs.first?[.credentials])
            #expect(credentials.status == .failed)
            #expect(credentials.target == "127.0.0.1:\(fixture.server.port)")
            #expect(credentials.message.contains("an account of another region than us1"), "\(credentials.message)")
            #expect(credentials.message.contains("CleverTap answers 401 for wrong credentials and for the wrong region alike"))
            #expect(document.jobs[0].checks.map(\.check) == CheckKind.allCases)
        }
    }

    @Test func aMissingMappedColumnFailsNamingIt() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let job = fixture.profilesJob(extra: "")
            fixture.dir.write("profiles.yaml", fixture.dir.read("profiles.yaml").replacing("from: score,", with: "from: points,"))
            let result = try await Self.check(fixture, [job])
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("  FAIL source       missing column \"points\" in source; columns are: id, email, name, score"), "\(result.stdout)")
            #expect(result.stdout.contains("  ok   credentials"))

            // JSONL: keys of the first lines.
            fixture.dir.write("events.jsonl", "{\"id\":\"1\",\"email\":\"a@example.com\"}\n{\"id\":\"2\",\"email\":\"b@example.com\"}\n")
            let events = fixture.dir.write(
                "events.yaml",
                """
                version: 1
                name: events
                destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
                source: { file: events.jsonl }
                object: events
                mode: insert
                primary_key: id
                mappings:
                  - { from: email, to: identity }
                  - { value: Signed Up, to: evtName }
                  - { from: created_ms, to: ts, transform: [ms_to_s] }
                """)
            let jsonl = try await Self.check(fixture, [events, "--format", "json"])
            #expect(jsonl.status == 1)
            let source = try #require(try Self.document(jsonl).jobs.first?[.source])
            #expect(source.status == .failed)
            #expect(source.message == "missing column \"created_ms\": not a key in any of the source's lines; keys there: id, email")
        }
    }

    @Test func invalidSpecExitsTwoAndSkipsTheRest() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let good = fixture.profilesJob()
            let bad = fixture.dir.write("bad.yaml", fixture.dir.read("profiles.yaml").replacing("mode: upsert", with: "mode: mirror").replacing("name: profiles", with: "name: bad"))
            let result = try await Self.check(fixture, [good, bad, "--format", "json"])
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            let document = try Self.document(result)
            // In the order given.
            #expect(document.jobs.map(\.name) == ["profiles", "bad"])
            let badJob = document.jobs[1]
            #expect(badJob[.spec]?.status == .failed)
            #expect(badJob[.spec]?.details.first?.contains("bad.yaml:6:7: error: mode \"mirror\" is not supported") == true)
            #expect(badJob.checks.dropFirst(2).allSatisfy { $0.status == .skipped })
            #expect(document.jobs[0].ok)
            #expect(fixture.server.stats().profileReads == 1)
        }
    }

    @Test func unsetVariablesFailTheEnvironmentAndSkipCredentials() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let job = fixture.profilesJob()
            let result = try await runProcessDetached(
                Products.ctsync, ["check", job, "--state", fixture.statePath],
                environment: ["CTSYNC_ENDPOINT": fixture.environment["CTSYNC_ENDPOINT"]!], directory: fixture.dir.path)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("  FAIL environment  not set: CLEVERTAP_ACCOUNT_ID, CLEVERTAP_PASSCODE"))
            #expect(result.stdout.contains("  skip credentials  not checked: CLEVERTAP_ACCOUNT_ID is not set"))
            #expect(result.stdout.contains("  ok   spec"))
            #expect(result.stdout.contains("  ok   source"))
            #expect(fixture.server.stats().profileReads == 0)
        }
    }

    @Test func sourceCommandRunsOnlyWithSourceAndIsStopped() async throws {
        try await RunFixture.with { fixture in
            _ = fixture.profilesJob()
            let job = fixture.dir.write(
                "command.yaml",
                fixture.dir.read("profiles.yaml").replacing(
                    "source: { file: contacts.csv }",
                    with: #"source: { command: "echo $$ > command.pid; printf 'id,email,name,score\\n'; exec sleep 120", format: csv }"#))
            let skipped = try await Self.check(fixture, [job])
            #expect(skipped.status == 0, "\(skipped.stdout)\(skipped.stderr)")
            #expect(skipped.stdout.contains("  skip source       not run: a source command may be expensive"))
            #expect(!FileManager.default.fileExists(atPath: fixture.dir.path + "/command.pid"))

            let ran = try await Self.check(fixture, [job, "--source"])
            #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
            #expect(ran.stdout.contains("  ok   source       the header has all 4 columns the job reads"))
            let pid = try #require(Int32(fixture.dir.read("command.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
            // Stopped and reaped before check exited: no such process any more.
            #expect(kill(pid, 0) != 0 && errno == ESRCH)
        }
    }

    @Test func aHeldLeaseIsAWarning() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let job = fixture.profilesJob()
            let holder = try LockFileCoordinator(
                directory: LockFileCoordinator.directory(forStateFile: fixture.statePath),
                identity: HolderIdentity(id: "other", pid: 4242, host: "runner-7", bootID: ""))
            try await holder.acquireJob("profiles", wait: false) { _ in }
            let result = try await Self.check(fixture, [job])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("  warn lease        held by another ctsync process (pid 4242 on host runner-7 since "), "\(result.stdout)")
            #expect(result.stdout.contains("fix: a run started now skips this job (exit 3) unless given --wait-for-lock"))
            // The probe took nothing: the holder still has the lease, and a second taker is refused.
            let other = try LockFileCoordinator(directory: LockFileCoordinator.directory(forStateFile: fixture.statePath))
            await #expect(throws: CoordinationError.self) { try await other.acquireJob("profiles", wait: false) { _ in } }
            await holder.releaseJob("profiles")
            let free = try await Self.check(fixture, [job])
            #expect(free.stdout.contains("  ok   lease        free"), "\(free.stdout)")
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, PostgresTestDatabase.skipMessage))
    func aNewerStateSchemaFails() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let job = fixture.profilesJob()
            let database = try await PostgresTestDatabase()
            try PostgresStateStore.open(database.location, readOnly: false)?.shutdown()
            let known = try await Self.check(fixture, [job], state: database.url)
            #expect(known.status == 0, "\(known.stdout)\(known.stderr)")
            #expect(known.stdout.contains("  ok   state        readable, schema known to this ctsync; 0 keys acknowledged for this job"), "\(known.stdout)")
            try await database.execute("INSERT INTO ctsync_schema_version (version, applied_by) VALUES (99, 'ctsync 9')")
            let newer = try await Self.check(fixture, [job], state: database.url)
            #expect(newer.status == 1)
            #expect(newer.stdout.contains("  FAIL state        state database \(database.url) has ctsync schema version 99, written by a newer ctsync"), "\(newer.stdout)")
            #expect(newer.stdout.contains("fix: upgrade ctsync to the version that wrote it"))
            #expect(newer.stdout.contains("  skip lease"))
        }
    }

    @Test(arguments: StateBackend.configured)
    func stateAndLeaseOnEitherBackend(_ backend: StateBackend) async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(3)
            let job = fixture.profilesJob()
            let state = try await TestState(backend, directory: fixture.dir)
            let empty = try await Self.check(fixture, [job, "--format", "json"], state: state.argument)
            #expect(empty.status == 0, "\(empty.stdout)\(empty.stderr)")
            let before = try #require(try Self.document(empty).jobs.first)
            #expect(before[.state]?.status == .ok)
            #expect(before[.state]?.message.contains("the first run creates") == true)
            #expect(before[.lease]?.status == .ok)

            let run = try await runProcessDetached(
                Products.ctsync, ["run", job, "--state", state.argument, "--report", fixture.dir.path + "/report.json", "--quiet"],
                environment: fixture.environment, directory: fixture.dir.path)
            #expect(run.status == 0, "\(run.stderr)")
            let stored = fixture.server.stats()
            let (a, _, stores) = try CoordinationTests.pair(state)
            defer { stores.forEach { $0.shutdown() } }
            try await a.acquireJob("profiles", wait: false) { _ in }
            let held = try await Self.check(fixture, [job, "--format", "json"], state: state.argument)
            #expect(held.status == 0, "\(held.stdout)\(held.stderr)")
            let after = try #require(try Self.document(held).jobs.first)
            #expect(after[.state]?.message == "readable, schema known to this ctsync; 3 keys acknowledged for this job")
            #expect(after[.lease]?.status == .warning)
            #expect(after[.lease]?.message.contains("pid 101 on host test-host-101") == true, "\(after)")
            await a.releaseJob("profiles")
            await a.close()
            #expect(fixture.server.stats().profiles == stored.profiles)
            #expect(fixture.server.stats().requests == stored.requests)
        }
    }
}
