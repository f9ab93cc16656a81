import ClevertapSandbox
import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// `guards:` (issue 14, item 2): limits a plan must stay within before anything is sent.
@Suite("guards against broken sources", .serialized)
struct GuardsTests {
    static func guards(_ yaml: String) throws -> Guards {
        let text = LintFixtureTests.valid + "\n" + yaml + "\n"
        let dir = TemporaryDirectory()
        dir.write("data.csv", "email,phone\n")
        let path = dir.write("job.yaml", text)
        let result = Linter(environment: LintFixtureTests.environment).lint(files: [path])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.message))")
        let loaded = JobLoader.load(path: path, environment: LintFixtureTests.environment, unsetVariableSeverity: .error)
        return try #require(loaded.spec?.guards)
    }

    static func counts(rows: Int, invalid: Int = 0, changed: Int = 0) -> PlanCounts {
        var counts = PlanCounts()
        counts.sourceRows = rows
        counts.invalid = invalid
        counts.changed = changed
        counts.unchanged = rows - invalid - changed
        return counts
    }

    static func tripped(
        _ guards: Guards, _ counts: PlanCounts, previous: Int? = nil, acknowledged: Int = 0, policy: GuardPolicy = .enforce
    ) -> [String] {
        let basis = GuardBasis(previousSourceRows: previous, previousRunStarted: nil, acknowledged: acknowledged)
        return GuardEvaluation.evaluate(guards, counts: counts, basis: basis, policy: policy).tripped.map(\.kind.rawValue)
    }

    @Test func eachGuardTripsPastItsLimitAndPassesAtIt() throws {
        let minimum = try Self.guards("guards: { min_source_rows: 10 }")
        #expect(Self.tripped(minimum, Self.counts(rows: 10)) == [])
        #expect(Self.tripped(minimum, Self.counts(rows: 9)) == ["min_source_rows"])

        let drop = try Self.guards("guards:\n  max_source_drop: 50%")
        #expect(Self.tripped(drop, Self.counts(rows: 5), previous: 10) == [])
        #expect(Self.tripped(drop, Self.counts(rows: 4), previous: 10) == ["max_source_drop"])
        #expect(Self.tripped(drop, Self.counts(rows: 500), previous: 10) == [], "growth is no drop")
        // Before the first successful run there is nothing to compare with: not measured.
        let first = GuardEvaluation.evaluate(
            drop, counts: Self.counts(rows: 0), basis: GuardBasis(previousSourceRows: nil, previousRunStarted: nil, acknowledged: 0),
            policy: .enforce)
        #expect(first.checks.count == 1)
        #expect(first.checks[0].figure == nil)
        #expect(first.checks[0].tripped == false)
        #expect(first.checks[0].detail.contains("no successful run"))

        let changed = try Self.guards("guards: { max_changed: 30% }")
        #expect(Self.tripped(changed, Self.counts(rows: 20, changed: 3), acknowledged: 10) == [])
        #expect(Self.tripped(changed, Self.counts(rows: 20, changed: 4), acknowledged: 10) == ["max_changed"])
        #expect(Self.tripped(changed, Self.counts(rows: 20), acknowledged: 0) == [])

        let invalid = try Self.guards("guards: { max_invalid: 2.5% }")
        #expect(Self.tripped(invalid, Self.counts(rows: 200, invalid: 5)) == [])
        #expect(Self.tripped(invalid, Self.counts(rows: 200, invalid: 6)) == ["max_invalid"])

        // --force reports the tripped guard and does not stop; --no-guards evaluates nothing.
        let basis = GuardBasis(previousSourceRows: 10, previousRunStarted: nil, acknowledged: 0)
        let forced = GuardEvaluation.evaluate(drop, counts: Self.counts(rows: 1), basis: basis, policy: .force)
        #expect(forced.tripped.map(\.kind) == [.maxSourceDrop])
        #expect(!forced.stops)
        let enforced = GuardEvaluation.evaluate(drop, counts: Self.counts(rows: 1), basis: basis, policy: .enforce)
        #expect(enforced.stops)
        let message = try #require(enforced.trippedMessage(sent: false))
        #expect(message.contains("max_source_drop (limit 50%): 1 source rows, 10 at the last successful run: a drop of 9 rows (90%)"))
        #expect(message.contains("--force") && message.contains("--no-guards"))
        let skipped = GuardEvaluation.evaluate(drop, counts: Self.counts(rows: 1), basis: basis, policy: .skip)
        #expect(skipped.checks.isEmpty && !skipped.stops)
    }

    @Test func lintCatchesMalformedGuards() {
        let valid = LintFixtureTests.valid
        let findings = LintFixtureTests.lint(
            valid + """

                guards:
                  min_source_rows: 0
                  max_source_drop: 50
                  max_changed: 130%
                  max_invalid: [5%]
                  max_drop: 10%
                """)
        #expect(
            findings.sorted() == [
                "15:20: error: guards.min_source_rows must be a row count of at least 1 (the fewest source rows a run may read), found 0 [invalid-value]",
                "16:20: error: guards.max_source_drop must be a percentage from 0% to 100% such as 50% (the largest drop in source rows against the last successful run), found \"50\"; write the percent sign: a bare number could mean a fraction or a percentage [invalid-value]",
                "17:16: error: guards.max_changed must be a percentage from 0% to 100% such as 30% (the largest share of acknowledged keys a run may change), found \"130%\" [invalid-value]",
                "18:16: error: guards.max_invalid must be a percentage such as 5% (the largest share of source rows that may be invalid), found a sequence [invalid-type]",
                "19:3: error: unknown key \"max_drop\" in guards [unknown-key]",
            ], "\(findings)")
        #expect(
            LintFixtureTests.lint(valid + "\nguards: 5%\n") == [
                "14:9: error: guards must be a mapping, found a scalar [invalid-type]"
            ])
        #expect(LintFixtureTests.lint(valid + "\nguards: { min_source_rows: many }\n").first?.contains("[invalid-type]") == true)
        #expect(LintFixtureTests.lint(valid + "\nguards: { min_source_rows: 1, max_invalid: 0% }\n") == [])
    }

    // MARK: - Against the sandbox

    static let guardedJob = "guards:\n  max_source_drop: 50%\n  min_source_rows: 50"

    @Test(arguments: StateBackend.configured)
    func shrunkSourceIsRefusedBeforeAnyRequestAndForceSendsIt(_ backend: StateBackend) async throws {
        let state = try await TestState(backend)
        try await RunFixture.with { fixture in
            fixture.writeContacts(1000)
            let job = fixture.profilesJob(batchSize: 100, extra: Self.guardedJob)
            let (first, report) = try await fixture.run(job, state: state.argument)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(report.counts.succeeded == 1000)
            let firstGuards = try #require(report.guards)
            #expect(firstGuards.policy == "enforce" && !firstGuards.tripped)
            #expect(firstGuards.checks.map(\.name) == ["min_source_rows", "max_source_drop"])
            #expect(firstGuards.checks[1].figure == nil, "no earlier successful run: not measured")

            // The warehouse query breaks: 100 rows, every one changed.
            fixture.writeContacts(100) { _ in " Broken" }
            let requests = fixture.server.stats().requests
            let (refused, aborted) = try await fixture.run(job, state: state.argument)
            #expect(refused.status == 3, "\(refused.stderr)")
            #expect(fixture.server.stats().requests == requests, "a request reached the sandbox")
            #expect(fixture.server.profile(identity: "user1@example.com")?["Name"] == .string("User 1"))
            #expect(aborted.status == .aborted)
            #expect(aborted.counts.sourceRows == 100)
            #expect(aborted.counts.changed == 100)
            #expect(aborted.counts.sent == 0)
            let reason = try #require(aborted.abortReason)
            #expect(reason.contains("max_source_drop (limit 50%): 100 source rows, 1000 at the last successful run"), "\(reason)")
            #expect(reason.contains("a drop of 900 rows (90%)"), "\(reason)")
            #expect(reason.contains("--force") && reason.contains("--no-guards"), "\(reason)")
            #expect(refused.stderr.contains("max_source_drop"), "\(refused.stderr)")
            let guards = try #require(aborted.guards)
            #expect(guards.tripped)
            let dropCheck = try #require(guards.checks.first { $0.name == "max_source_drop" })
            #expect(dropCheck.tripped && dropCheck.limit == 50 && dropCheck.figure == 90)
            #expect(guards.checks.first { $0.name == "min_source_rows" }?.tripped == false)

            // The refused run is no baseline: a second try is refused against the same good run.
            let (again, _) = try await fixture.run(job, state: state.argument)
            #expect(again.status == 3)
            #expect(fixture.server.stats().requests == requests)

            // --force sends it, and still reports the tripped guard.
            let (forced, sent) = try await fixture.run(job, ["--force"], state: state.argument)
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(sent.status == .succeeded)
            #expect(sent.counts.succeeded == 100)
            #expect(sent.guards?.policy == "force" && sent.guards?.tripped == true)
            #expect(fixture.server.profile(identity: "user1@example.com")?["Name"] == .string("User 1 Broken"))
            RunFixture.expectCountsAddUp(sent)

            // The forced run is now the last successful one: 100 rows is no drop from it.
            fixture.writeContacts(100) { _ in " Fixed" }
            let (next, passed) = try await fixture.run(job, state: state.argument)
            #expect(next.status == 0, "\(next.stderr)")
            #expect(passed.guards?.tripped == false)
            #expect(passed.counts.succeeded == 100)

            // --no-guards: not evaluated; streams as a job without guards.
            fixture.writeContacts(10) { _ in " Tiny" }
            let (skipped, unguarded) = try await fixture.run(job, ["--no-guards"], state: state.argument)
            #expect(skipped.status == 0, "\(skipped.stderr)")
            #expect(unguarded.guards?.policy == "skip" && unguarded.guards?.checks.isEmpty == true)
            #expect(unguarded.counts.succeeded == 10)
        }
    }

    /// A guarded job plans completely, then sends every record from its temporary file:
    /// several plan chunks (2,048 rows each) and many batches arrive whole, in order.
    @Test func guardedJobSendsEveryRecordFromItsSpilledPlan() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(5000)
            let job = fixture.profilesJob(batchSize: 100, extra: "guards: { min_source_rows: 5000, max_invalid: 0% }")
            let (result, report) = try await fixture.run(job)
            #expect(result.status == 0, "\(result.stderr)")
            RunFixture.expectCountsAddUp(report)
            #expect(report.counts.succeeded == 5000)
            #expect(report.http.requests == 50)
            #expect(report.guards?.tripped == false)
            #expect(fixture.server.stats().profiles == 5000)
            #expect(fixture.server.profile(identity: "user4999@example.com")?["Name"] == .string("User 4999"))
            let (again, unchanged) = try await fixture.run(job)
            #expect(again.status == 0)
            #expect(unchanged.counts.unchanged == 5000 && unchanged.counts.sent == 0)
        }
    }

    @Test func planShowsWhichGuardsWouldTripAtTheirBoundaries() async throws {
        try await RunFixture.with { fixture in
            fixture.writeContacts(100)
            let plain = fixture.profilesJob(batchSize: 50)
            let (first, _) = try await fixture.run(plain)
            #expect(first.status == 0, "\(first.stderr)")

            /// Plans `guards` against `rows` rows of which the first `changed` have a new name and
            /// the last `invalid` a broken score; the tripped guards and the exit status.
            func plan(_ guards: String, rows: Int, changed: Int = 0, invalid: Int = 0, _ extra: [String] = [])
                async throws -> (tripped: [String], status: Int32, text: String)
            {
                var csv = "id,email,name,score\n"
                for i in 0..<rows {
                    let score = i >= rows - invalid ? "many" : "\(i % 100)"
                    csv += "\(i),user\(i)@example.com,User \(i)\(i < changed ? " New" : ""),\(score)\n"
                }
                fixture.dir.write("contacts.csv", csv)
                let job = fixture.profilesJob(batchSize: 50, extra: "guards: { \(guards) }")
                let json = try await runProcessDetached(
                    Products.ctsync, ["plan", job, "--state", fixture.statePath, "--format", "json"] + extra,
                    environment: fixture.environment, directory: fixture.dir.path)
                let document = try OutputContract.decode(PlanDocument.self, json.stdout, schema: "plan")
                let text = try await runProcessDetached(
                    Products.ctsync, ["plan", job, "--state", fixture.statePath] + extra,
                    environment: fixture.environment, directory: fixture.dir.path)
                #expect(text.status == json.status)
                let tripped = document.guards?.checks.filter(\.tripped).map(\.name) ?? []
                return (tripped, json.status, text.stdout)
            }

            var result = try await plan("min_source_rows: 100", rows: 100)
            #expect(result.tripped == [] && result.status == 0)
            #expect(result.text.contains("min_source_rows ok      limit 100: 100 source rows, at least 100 required"), "\(result.text)")
            result = try await plan("min_source_rows: 100", rows: 99)
            #expect(result.tripped == ["min_source_rows"] && result.status == 3)
            #expect(result.text.contains("TRIPPED") && result.text.contains("A run would stop before sending anything (exit 3)"))

            result = try await plan("max_source_drop: 20%", rows: 80)
            #expect(result.tripped == [] && result.status == 0)
            result = try await plan("max_source_drop: 20%", rows: 79)
            #expect(result.tripped == ["max_source_drop"] && result.status == 3)
            result = try await plan("max_source_drop: 20%", rows: 79, ["--force"])
            #expect(result.tripped == ["max_source_drop"] && result.status == 0)
            result = try await plan("max_source_drop: 20%", rows: 79, ["--no-guards"])
            #expect(result.tripped == [] && result.status == 0)
            #expect(result.text.contains("Guards: not evaluated (--no-guards)"))

            result = try await plan("max_changed: 10%", rows: 100, changed: 10)
            #expect(result.tripped == [] && result.status == 0)
            result = try await plan("max_changed: 10%", rows: 100, changed: 11)
            #expect(result.tripped == ["max_changed"] && result.status == 3)

            // One broken row of 100 is 1% invalid; two are 2%.
            result = try await plan("max_invalid: 1%", rows: 100, invalid: 1)
            #expect(result.tripped == [] && result.status == 1, "1: one invalid row is over max_rejected 0")
            result = try await plan("max_invalid: 1%", rows: 100, invalid: 2)
            #expect(result.tripped == ["max_invalid"] && result.status == 3)
        }
    }
}
