import Foundation
import Synchronization
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

/// Plans over real files and real SQLite state.
@Suite("planner")
struct PlannerTests {
    static let environment = ["CLEVERTAP_ACCOUNT_ID": "123", "CLEVERTAP_PASSCODE": "secret"]

    static func job(_ dir: TemporaryDirectory, _ yaml: String, name: String = "job.yaml") throws -> JobSpec {
        let path = dir.write(name, yaml)
        let loaded = JobLoader.load(path: path, environment: environment, unsetVariableSeverity: .error)
        let spec = try #require(loaded.spec, "\(loaded.diagnostics)")
        return spec
    }

    /// Plans and returns the summary and every planned record.
    static func plan(_ spec: JobSpec, state: (any StateStore)? = nil, full: Bool = false) throws -> (
        PlanSummary, [PlannedRecord], [PlanRejection]
    ) {
        let collected = Mutex<([PlannedRecord], [PlanRejection])>(([], []))
        let summary = try Planner(spec: spec, state: state, endpoint: try! Endpoint(region: .in1, override: nil), full: full).run {
            chunk in
            collected.withLock {
                $0.0 += chunk.records
                $0.1 += chunk.rejections
            }
        }
        let (records, rejections) = collected.withLock { $0 }
        return (summary, records, rejections)
    }

    static let profilesJob = """
        version: 1
        name: crm
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: contacts.csv }
        object: profiles
        mode: upsert
        primary_key: id
        mappings:
          - { from: email, to: identity, transform: [trim, lowercase] }
          - { from: name, to: Name }
          - { from: phone, to: Phone }
          - { from: seen_ms, to: ts }
        """

    /// The issue's acceptance file: quoted newlines, a BOM, a millisecond timestamp,
    /// a bad phone number, a duplicate key and a ragged row.
    static let contacts =
        "\u{FEFF}id,email,name,phone,seen_ms\r\n"
        + "1,jack@example.com,\"Jack\nMontana\",+14155551234,1468308340\r\n"  // lines 2-3
        + "2,ann@example.com,Ann,+14155550000,1468308340123\r\n"  // line 4: milliseconds
        + "3,bob@example.com,Bob,555-1234,1468308340\r\n"  // line 5: bad phone
        + "4,cy@example.com,\"Cy \"\"The Guy\"\"\",+447911123456,1468308340\r\n"  // line 6
        + "1,dup@example.com,Dup,+14155551111,1468308340\r\n"  // line 7: duplicate key 1
        + "5,ragged@example.com,Ragged\r\n"  // line 8: ragged
        + "6,eve@example.com,Eve,+919876543210,\r\n"  // line 9: no ts
    
    @Test func acceptanceFileCountsAndRejections() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", Self.contacts)
        let spec = try Self.job(dir, Self.profilesJob)
        let (summary, records, rejections) = try Self.plan(spec)
        #expect(summary.counts.sourceRows == 7)
        #expect(summary.counts.invalid == 4)
        #expect(summary.counts.planned == 3)
        #expect(summary.counts.added == 3)
        #expect(summary.counts.unchanged == 0)
        #expect(summary.batches == 1)
        let byLine = Dictionary(uniqueKeysWithValues: rejections.map { ($0.line, $0.reason.rawValue) })
        #expect(byLine == [4: "timestamp_in_milliseconds", 5: "invalid_phone", 7: "duplicate_primary_key", 8: "invalid_row"])
        #expect(rejections.first { $0.line == 4 }?.message.contains("ms_to_s") == true)
        #expect(records.map(\.line) == [2, 6, 9])
        #expect(
            String(decoding: records[0].json, as: UTF8.self)
                == #"{"type":"profile","identity":"jack@example.com","ts":1468308340,"profileData":{"Name":"Jack\nMontana","Phone":"+14155551234"}}"#
        )
        #expect(String(decoding: records[1].json, as: UTF8.self).contains(#""Name":"Cy \"The Guy\"""#))
        #expect(!String(decoding: records[2].json, as: UTF8.self).contains("\"ts\""))
    }

    @Test func secondPlanSendsOnlyChangedRows() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", Self.contacts)
        let spec = try Self.job(dir, Self.profilesJob)
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let (first, records, _) = try Self.plan(spec, state: store)
        try store.acknowledge(records.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: first.key("crm"), spec: first.specFingerprint)
        try store.setSpec(first.canonicalSpec, job: first.key("crm"))

        let (again, none, _) = try Self.plan(spec, state: store)
        #expect(none.isEmpty)
        #expect(again.counts.unchanged == 3)
        #expect(again.counts.invalid == 4)
        #expect(again.mappingChanged == false)

        dir.write("contacts.csv", Self.contacts.replacing("Eve,", with: "Eve Changed,") + "7,new@example.com,New,+14155557777,1468308340\r\n")
        let (changed, planned, _) = try Self.plan(spec, state: store)
        #expect(changed.counts.changed == 1)
        #expect(changed.counts.added == 1)
        #expect(planned.map(\.change) == [.changed, .added])
        #expect(changed.counts.sourceRows == changed.counts.invalid + changed.counts.unchanged + changed.counts.planned)

        let (full, fullRecords, _) = try Self.plan(spec, state: store, full: true)
        #expect(full.counts.planned == 4)
        #expect(fullRecords.count == 4)
    }

    @Test func insertModeNeverResendsAcknowledgedKeys() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", Self.contacts)
        let spec = try Self.job(dir, Self.profilesJob.replacing("mode: upsert", with: "mode: insert"))
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let (first, records, _) = try Self.plan(spec, state: store)
        try store.acknowledge(records.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: first.key("crm"), spec: first.specFingerprint)
        dir.write("contacts.csv", Self.contacts.replacing("Eve,", with: "Eve Changed,"))
        let (second, planned, _) = try Self.plan(spec, state: store)
        #expect(planned.isEmpty)
        #expect(second.counts.unchanged == 3)
    }

    @Test func rowRejectedLastTimeIsPlannedAgainOnceFixed() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", Self.contacts)
        let spec = try Self.job(dir, Self.profilesJob)
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let (first, records, _) = try Self.plan(spec, state: store)
        // CleverTap acknowledged all but the row of line 6 (say it was refused).
        let acknowledged = records.filter { $0.line != 6 }
        try store.acknowledge(acknowledged.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: first.key("crm"), spec: first.specFingerprint)
        let (second, planned, _) = try Self.plan(spec, state: store)
        #expect(planned.map(\.line) == [6])
        #expect(second.counts.added == 1)
    }

    @Test func mappingChangeResyncsProfiles() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", Self.contacts)
        let spec = try Self.job(dir, Self.profilesJob)
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let (first, records, _) = try Self.plan(spec, state: store)
        try store.acknowledge(records.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: first.key("crm"), spec: first.specFingerprint)
        try store.setSpec(first.canonicalSpec, job: first.key("crm"))

        // A changed transform: every profile is sent again, and the plan says why.
        let remapped = try Self.job(dir, Self.profilesJob.replacing("{ from: name, to: Name }", with: "{ from: name, to: Name, transform: [trim] }"))
        let (second, planned, _) = try Self.plan(remapped, state: store)
        #expect(second.mappingChanged)
        #expect(planned.count == 3)
        #expect(second.counts.changed == 3)
        #expect(second.baseline.changes.map(\.description) == ["mapping to Name: transform [] → [\"trim\"]"])

        // Another account is another destination: no earlier run there, every profile is new.
        let moved = try Self.job(dir, Self.profilesJob.replacing("${CLEVERTAP_ACCOUNT_ID}", with: "999"))
        let (third, _, _) = try Self.plan(moved, state: store)
        #expect(!third.mappingChanged)
        #expect(third.baseline.kind == .noState)
        #expect(third.counts.added == 3)
    }

    @Test func eventsAreNeverResentBecauseAMappingChanged() throws {
        let dir = TemporaryDirectory()
        dir.write("orders.jsonl", #"{"id":"o1","email":"a@example.com","at":1468208340123}"# + "\n")
        let yaml = """
            version: 1
            name: orders
            destination: { region: in1, account_id: "1", passcode: "${CLEVERTAP_PASSCODE}" }
            source: { file: orders.jsonl }
            object: events
            mode: insert
            primary_key: id
            mappings:
              - { from: email, to: identity }
              - { value: Charged, to: evtName }
              - { from: at, to: ts, transform: [ms_to_s] }
            """
        let spec = try Self.job(dir, yaml)
        let store = try SQLiteStateStore(path: dir.path + "/state.sqlite", readOnly: false)
        let (first, records, _) = try Self.plan(spec, state: store)
        #expect(String(decoding: records[0].json, as: UTF8.self) == #"{"type":"event","identity":"a@example.com","ts":1468208340,"evtName":"Charged","evtData":{}}"#)
        try store.acknowledge(records.map { Acknowledgement(key: $0.key, hash: $0.hash) }, job: first.key("orders"), spec: first.specFingerprint)
        try store.setSpec(first.canonicalSpec, job: first.key("orders"))
        let changed = try Self.job(dir, yaml + "\n  - { from: id, to: Order }")
        let (second, planned, _) = try Self.plan(changed, state: store)
        #expect(second.mappingChanged)
        #expect(planned.isEmpty)
        #expect(second.counts.unchanged == 1)
    }

    @Test func missingColumnFailsBeforeAnyRowNamingTheColumnsThatExist() throws {
        let dir = TemporaryDirectory()
        dir.write("contacts.csv", Self.contacts)
        let spec = try Self.job(dir, Self.profilesJob.replacing("from: name,", with: "from: nmae,"))
        #expect {
            _ = try Self.plan(spec)
        } throws: { error in
            "\(error)".contains("nmae") && "\(error)".contains("email")
        }
    }

    @Test func stateFileThatIsNotADatabaseIsAClearError() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("state.sqlite", "this is not sqlite")
        #expect(throws: StateError.notADatabase(path: path)) {
            _ = try SQLiteStateStore(path: path, readOnly: true)
        }
        #expect(throws: StateError.notADatabase(path: path)) {
            _ = try SQLiteStateStore(path: path, readOnly: false)
        }
    }

    @Test func foreignSQLiteDatabaseIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/other.sqlite"
        let result = try runProcess("/usr/bin/env", ["python3", "-c", "import sqlite3; c=sqlite3.connect('\(path)'); c.execute('create table t(x)'); c.commit()"])
        #expect(result.status == 0)
        #expect(throws: StateError.foreignDatabase(path: path)) {
            _ = try SQLiteStateStore(path: path, readOnly: false)
        }
    }
}

@Suite("state files")
struct StateFileTests {
    @Test func emptyOrZeroByteStateFileReadsAsNoState() throws {
        let dir = TemporaryDirectory()
        let zero = dir.write("zero.sqlite", "")
        let store = try SQLiteStateStore(path: zero, readOnly: true)
        #expect(try store.jobs(named: "x") == [])
        #expect(try store.makeLookup(job: JobKey(name: "x", destination: nil)).find("k") == nil)
        #expect(try store.acknowledgedCount(named: "x") == 0)
    }

    /// Several runs starting at once on a new state file: each opens it, none sees the
    /// others' half-made schema as a foreign database (seen with three processes).
    @Test func concurrentFirstOpensAllSucceed() throws {
        for round in 0..<5 {
            let dir = TemporaryDirectory()
            let path = dir.path + "/new-\(round).sqlite"
            let failures = Mutex<[String]>([])
            let group = DispatchGroup()
            for _ in 0..<6 {
                group.enter()
                Thread {
                    defer { group.leave() }
                    do {
                        let store = try SQLiteStateStore(path: path, readOnly: false)
                        _ = try store.acknowledgedCount(named: "x")
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }.start()
            }
            group.wait()
            #expect(failures.withLock { $0 } == [])
            #expect(try SQLiteStateStore(path: path, readOnly: true).acknowledgedCount(named: "x") == 0)
        }
    }

    /// A file whose tables ctsync made but whose tag it never wrote (a run killed in
    /// between, before the tag moved into the first migration) is still ours.
    @Test func untaggedFileWithOnlyOurTablesIsOurs() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/state.sqlite"
        _ = try SQLiteStateStore(path: path, readOnly: false)
        func applicationID(set value: Int? = nil) throws -> String {
            let statement = value.map { "c.execute('pragma application_id = \($0)'); c.commit(); " } ?? ""
            let script = "import sqlite3; c=sqlite3.connect('\(path)'); \(statement)print(c.execute('pragma application_id').fetchone()[0])"
            return try runProcess("/usr/bin/env", ["python3", "-c", script]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try applicationID(set: 0) == "0")
        #expect(try SQLiteStateStore(path: path, readOnly: true).acknowledgedCount(named: "x") == 0)
        _ = try SQLiteStateStore(path: path, readOnly: false)
        #expect(try applicationID() == "\(SQLiteStateStore.applicationID)")
    }
}
