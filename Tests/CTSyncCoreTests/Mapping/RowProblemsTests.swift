import ClevertapSandbox
import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncReport

/// A rejected row carries every problem it has, not only the first: the mapper's
/// rejection, the plan's groups (a row counted under each of its problems' codes, its
/// samples listing the others) and the run report's.
@Suite("a row's rejection carries all its problems")
struct RowProblemsTests {
    typealias F = MappingFixture

    static func problems(_ mapper: RecordMapper, _ row: [String: Value]) -> [RowProblem] {
        F.rejection(mapper, row)?.problems ?? []
    }

    @Test func aRowWithThreeBadFieldsReportsAllThree() {
        let mapper = F.profile([F.map("p", to: "Phone"), F.map("g", to: "Gender"), F.map("ts", to: "ts")])
        let rejection = F.rejection(mapper, ["id": F.s("u1"), "p": F.s("bad"), "g": F.s("bad"), "ts": F.s("0")])
        // The first in the order of checks leads, as before: ts, then properties in job order.
        #expect(rejection?.reason == .invalidTimestamp)
        #expect(rejection?.field == "ts")
        #expect(rejection?.problems.map(\.reason) == [.invalidTimestamp, .invalidPhone, .invalidGender])
        #expect(rejection?.problems.map(\.field) == ["ts", "Phone", "Gender"])
        #expect(rejection?.otherProblems.count == 2)
        #expect(rejection?.primaryKey == "u1")
    }

    @Test func aMissingIdentityDoesNotHideTheOtherFields() {
        // The key is the identity's column (no primary_key): its emptiness is said once.
        let mapper = F.profile([F.map("p", to: "Phone"), F.map("n", to: "Score", [.number])])
        #expect(
            Self.problems(mapper, ["p": F.s("bad"), "n": F.s("many")]).map(\.reason)
                == [.identityMissing, .invalidPhone, .transformFailed])
        // A key of its own column is a problem of its own.
        let keyed = RecordMapper(
            spec: F.job(
                .profiles, [F.map("email", to: "identity"), F.map("p", to: "Phone")], primaryKey: "id"))
        #expect(
            Self.problems(keyed, ["p": F.s("bad")]).map(\.reason) == [.identityMissing, .primaryKeyMissing, .invalidPhone])
    }

    @Test func aFailedIdentityTransformIsNotAlsoReportedMissing() {
        let mapper = F.profile([F.map("g", to: "Gender")], identityKind: nil)
        let split = RecordMapper(
            spec: F.job(.profiles, [F.map("id", to: "identity", [F.split(",")]), F.map("g", to: "Gender")]))
        #expect(
            Self.problems(split, ["id": F.s("a,b"), "g": F.s("bad")]).map(\.reason) == [.transformFailed, .invalidGender])
        #expect(Self.problems(mapper, ["id": F.s("u1"), "g": F.s("x")]).map(\.reason) == [.invalidGender])
    }

    @Test func anEventRowReportsItsNameAndPropertiesTogether() {
        let mapper = RecordMapper(
            spec: F.job(
                .events, [F.map("id", to: "identity"), F.map("e", to: "evtName"), F.map("n", to: "Amount", [.number])]))
        #expect(
            Self.problems(mapper, ["id": F.s("u1"), "e": .null, "n": F.s("lots")]).map(\.reason)
                == [.eventNameMissing, .transformFailed])
    }

    @Test func validRowsStillMap() {
        let mapper = F.profile([F.map("p", to: "Phone"), F.map("g", to: "Gender"), F.map("ts", to: "ts")])
        #expect(F.record(mapper, ["id": F.s("u1"), "p": F.s("+14155550100"), "g": F.s("M"), "ts": F.s("1700000000")]) != nil)
    }

    @Test func theLogCountsEachProblemUnderItsCodeAndSamplesTheRowInEach() {
        var log = RejectionLog()
        var row = PlanRejection(line: 7, primaryKey: "k", field: "ts", reason: .invalidTimestamp, message: "ts bad")
        row.otherProblems = [
            RowProblem(field: "Phone", reason: .invalidPhone, message: "Phone bad"),
            RowProblem(field: "Score", reason: .transformFailed, message: "Score bad"),
            RowProblem(field: "Age", reason: .transformFailed, message: "Age bad"),
        ]
        log.add(row)
        log.add(PlanRejection(line: 8, primaryKey: "j", field: "Phone", reason: .invalidPhone, message: "Phone bad"))
        #expect(log.groups[.invalidTimestamp]?.count == 1)
        #expect(log.groups[.invalidPhone]?.count == 2)
        #expect(log.groups[.transformFailed]?.count == 2)
        #expect(log.total == 5)
        // One sample of the row per code, leading with that code's problem and listing the rest.
        let transform = log.groups[.transformFailed]!.samples
        #expect(transform.count == 1)
        #expect(transform[0].field == "Score")
        #expect(transform[0].otherProblems.map(\.field) == ["ts", "Phone", "Age"])
        let phone = log.groups[.invalidPhone]!.samples
        #expect(phone.map(\.line) == [7, 8])
        #expect(phone[0].otherProblems.map(\.reason) == [.invalidTimestamp, .transformFailed, .transformFailed])
        #expect(phone[1].otherProblems.isEmpty)
    }

    /// A profiles job over rows.csv: row 2 valid, row 3 three bad fields, row 4 one.
    static func writeJob(in dir: TemporaryDirectory) -> String {
        dir.write(
            "rows.csv",
            """
            id,email,phone,gender,ts
            1,a@example.com,+14155550100,M,1700000000
            2,b@example.com,bad,unknown,0
            3,c@example.com,+14155550101,unknown,1700000000

            """)
        return dir.write(
            "job.yaml",
            """
            version: 1
            name: problems
            destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
            source: { file: rows.csv }
            object: profiles
            primary_key: id
            mappings:
              - { from: email, to: identity }
              - { from: phone, to: Phone }
              - { from: gender, to: Gender }
              - { from: ts, to: ts }
            options: { max_rejected: 5 }
            """)
    }

    /// The groups of a plan or report with rows 3 (three problems) and 4 (one).
    static func expectGroups(_ groups: [String: RejectionGroupDocument], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(groups.mapValues(\.count) == ["invalid_timestamp": 1, "invalid_phone": 1, "invalid_gender": 2], sourceLocation: sourceLocation)
        let phone = groups["invalid_phone"]?.samples ?? []
        #expect(phone.map(\.row) == [3], sourceLocation: sourceLocation)
        #expect(phone.first?.field == "Phone", sourceLocation: sourceLocation)
        #expect(phone.first?.otherProblems.map(\.code) == ["invalid_timestamp", "invalid_gender"], sourceLocation: sourceLocation)
        #expect(phone.first?.otherProblems.map(\.field) == ["ts", "Gender"], sourceLocation: sourceLocation)
        let gender = groups["invalid_gender"]?.samples ?? []
        #expect(gender.map(\.row) == [3, 4], sourceLocation: sourceLocation)
        #expect(gender.map(\.otherProblems.count) == [2, 0], sourceLocation: sourceLocation)
    }

    @Test func planJSONAndTextListEveryProblem() async throws {
        let dir = TemporaryDirectory()
        let job = Self.writeJob(in: dir)
        let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "s3cr3t"]
        let json = try await ctsync(
            "plan", job, "--format", "json", "--state", dir.path + "/s.sqlite", environment: environment)
        #expect(json.status == 0, "\(json.stderr)")
        let plan = try OutputContract.decode(PlanDocument.self, json.stdout, schema: "plan")
        // Rows once in the counts; each problem under its code in the groups.
        #expect(plan.counts.invalid == 2)
        #expect(plan.counts.planned == 1)
        Self.expectGroups(plan.rejected)

        let text = try await ctsync("plan", job, "--state", dir.path + "/s.sqlite", environment: environment)
        #expect(text.stdout.contains("Rejected rows (2):"), "\(text.stdout)")
        #expect(
            text.stdout.contains(
                "row 3, key ***, field ts: ts 0 is not a positive number of epoch seconds; also [invalid_phone] field Phone: "),
            "\(text.stdout)")
        #expect(text.stdout.contains("; [invalid_gender] field Gender: "), "\(text.stdout)")
    }

    @Test func theRunReportListsEveryProblemAndCountsAddUp() async throws {
        try await RunFixture.with { fixture in
            let job = Self.writeJob(in: fixture.dir)
            let (result, report) = try await fixture.run(job)
            #expect(result.status == 0, "\(result.stderr)")
            RunFixture.expectCountsAddUp(report)
            #expect(report.counts.invalid == 2)
            #expect(report.counts.succeeded == 1)
            Self.expectGroups(report.errors)
            // The summary lists every code with its count of problems.
            #expect(result.stderr.contains("invalid_gender ×2"), "\(result.stderr)")
        }
    }
}
