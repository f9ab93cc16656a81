import Foundation
import Testing

@testable import CTSyncSupport
@testable import CTSyncPlan
@testable import CTSyncState

/// State, lock folders, reports and records files are private, whatever the umask
/// (issue 17, item 3).
@Suite("Private files")
struct PrivateFilesTests {
    static func mode(_ path: String) -> String {
        PrivateFile.mode(of: path).map { String($0, radix: 8) } ?? "missing"
    }

    /// Every file and folder under `root`, by path relative to it.
    static func modes(under root: String) -> [String: String] {
        var found: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            found[relative] = mode(root + "/" + relative)
        }
        return found
    }

    /// Runs the built ctsync through `sh -c 'umask 022; exec …'`.
    static func ctsyncUnderUmask022(
        _ arguments: [String], environment: [String: String], directory: String
    ) async throws -> ProcessResult {
        try await runProcessDetached(
            "/bin/sh", ["-c", "umask 022; exec \"$0\" \"$@\"", Products.ctsync] + arguments, environment: environment,
            directory: directory)
    }

    @Test func runAndPlanCreatePrivateFilesUnderUmask022() async throws {
        try await RunFixture.with() { fixture in
            fixture.writeContacts(50)
            let job = fixture.profilesJob(batchSize: 10)
            let run = try await Self.ctsyncUnderUmask022(
                ["run", job, "--state", ".ctsync/state.sqlite", "--quiet", "--rejects", "rejects/run.jsonl"],
                environment: fixture.environment, directory: fixture.dir.path)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(Self.mode(fixture.dir.path + "/rejects") == "700")
            #expect(Self.mode(fixture.dir.path + "/rejects/run.jsonl") == "600")

            let state = Self.modes(under: fixture.dir.path + "/.ctsync")
            #expect(Self.mode(fixture.dir.path + "/.ctsync") == "700")
            #expect(state["state.sqlite"] == "600")
            #expect(state["state.sqlite.locks"] == "700")
            for (path, mode) in state where path.hasPrefix("state.sqlite.locks/") {
                var isDirectory = false
                _ = FileSystem.exists(fixture.dir.path + "/.ctsync/" + path, isDirectory: &isDirectory)
                #expect(mode == (isDirectory ? "700" : "600"), "\(path)")
            }
            #expect(state.keys.contains { $0.hasPrefix("state.sqlite.locks/job-") })
            for sidecar in ["state.sqlite-wal", "state.sqlite-shm"] where state[sidecar] != nil {
                #expect(state[sidecar] == "600", "\(sidecar)")
            }
            let reports = Self.modes(under: fixture.dir.path + "/reports")
            #expect(Self.mode(fixture.dir.path + "/reports") == "700")
            #expect(reports.count == 1)
            #expect(reports.values.allSatisfy { $0 == "600" }, "\(reports)")

            let plan = try await Self.ctsyncUnderUmask022(
                ["plan", job, "--state", ".ctsync/state.sqlite", "--full", "--records", "out/records.jsonl"],
                environment: fixture.environment, directory: fixture.dir.path)
            // --records names a file; its folder is the user's to make.
            #expect(plan.status == 1)
            try FileManager.default.createDirectory(atPath: fixture.dir.path + "/out", withIntermediateDirectories: true)
            fixture.dir.write("out/existing.jsonl", "old\n")
            chmod(fixture.dir.path + "/out/existing.jsonl", 0o644)
            for name in ["records.jsonl", "existing.jsonl"] {
                let planned = try await Self.ctsyncUnderUmask022(
                    ["plan", job, "--state", ".ctsync/state.sqlite", "--full", "--records", "out/" + name],
                    environment: fixture.environment, directory: fixture.dir.path)
                #expect(planned.status == 0, "\(planned.stderr)")
                #expect(Self.mode(fixture.dir.path + "/out/" + name) == "600", "\(name)")
            }
            let explicit = fixture.dir.path + "/single/report.json"
            let again = try await Self.ctsyncUnderUmask022(
                ["run", job, "--state", ".ctsync/state.sqlite", "--full", "--quiet", "--report", explicit],
                environment: fixture.environment, directory: fixture.dir.path)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(Self.mode(explicit) == "600")
            #expect(Self.mode(fixture.dir.path + "/single") == "700")
        }
    }

    @Test func sqliteSidecarsFollowTheDatabaseFile() async throws {
        let dir = TemporaryDirectory()
        let previous = umask(0o022)
        defer { umask(previous) }
        let path = dir.path + "/nested/state.sqlite"
        let store = try SQLiteStateStore(path: path, readOnly: false)
        try store.acknowledge([Acknowledgement(key: "k", hash: RecordHash(bytes: [1]))], job: JobKey(name: "j", destination: nil), spec: 1)
        #expect(Self.mode(path) == "600")
        #expect(Self.mode(dir.path + "/nested") == "700")
        #expect(Self.mode(path + "-wal") == "600")
        #expect(Self.mode(path + "-shm") == "600")
        store.shutdown()
    }

    @Test func existingFoldersKeepTheirMode() async throws {
        let dir = TemporaryDirectory()
        chmod(dir.path, 0o755)
        try PrivateFile.makeDirectory(dir.path + "/a/b")
        #expect(Self.mode(dir.path) == "755")
        #expect(Self.mode(dir.path + "/a") == "700")
        #expect(Self.mode(dir.path + "/a/b") == "700")
        // A device is written, never re-moded.
        let fd = try PrivateFile.openForWriting("/dev/null")
        close(fd)
        #expect(Self.mode("/dev/null") == "666")
    }

    @Test func readableStateFileGetsAWarningNamingChmod() async throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/state.sqlite"
        let store = try SQLiteStateStore(path: path, readOnly: false)
        store.shutdown()
        #expect(StateLocation.sqlite(path: path).warnings().isEmpty)
        chmod(path, 0o644)
        let warnings = StateLocation.sqlite(path: path).warnings()
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("can be read by other users (mode 644)") == true)
        #expect(warnings.first?.contains("chmod 600 \(path)") == true)
        #expect(StateLocation.sqlite(path: dir.path + "/missing.sqlite").warnings().isEmpty)

        dir.write("contacts.csv", "email\nann@example.com\n")
        let job = dir.write("job.yaml", EndpointAllowListTests.job(endpoint: nil))
        let plan = try await ctsync("plan", job, "--state", path, environment: EndpointAllowListTests.environment)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stderr.contains("ctsync: warning: state file \(path) can be read by other users"))
        #expect(plan.stderr.contains("chmod 600 \(path)"))
    }
}
