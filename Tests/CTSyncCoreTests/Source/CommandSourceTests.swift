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

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Command sources")
struct CommandSourceTests {
    private typealias T = SourceTesting

    private func open(
        _ command: String, format: SourceFormat = .csv, in directory: String = ".", timeout: Double? = nil,
        grace: Double = 2
    ) throws(SourceError) -> any RowReader {
        try Sources.open(
            command: command, workingDirectory: directory, format: format, csv: CSVOptions(), timeout: timeout,
            terminationGrace: grace)
    }

    /// Whether a process with this pid still exists (a zombie counts).
    private func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

    /// Waits up to `seconds` for `condition`, looking every 10 ms (a process's end announces
    /// itself to its parent only, and the orphaned children here belong to init).
    private func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test func streamsTheCommandsStdout() throws {
        let reader = try open("printf 'id,name\\n1,Ann\\n2,\"B, o\"\\n'")
        #expect(reader.columns == ["id", "name"])
        #expect(try T.drain(reader) == [T.row(2, "1", "Ann"), T.row(3, "2", "B, o")])
        #expect(try reader.next() == nil)
    }

    @Test func largeOutputStreamsThroughThePipe() throws {
        let reader = try Sources.open(
            command: "seq 1 300000 | sed 's/$/,row/'", workingDirectory: ".", format: .csv,
            csv: CSVOptions(header: false), timeout: 60)
        #expect(reader.columns == ["1", "2"])
        var count = 0
        var last: RowEvent?
        while let event = try reader.next() {
            count += 1
            last = event
        }
        #expect(count == 300_000)
        #expect(last == T.row(300_000, "300000", "row"))
    }

    @Test func jsonlFromACommand() throws {
        let reader = try open(#"printf '{"a": 1}\n{"a": "x"}\n'"#, format: .jsonl)
        try reader.project(["a"])
        #expect(try T.drain(reader) == [.row(line: 1, values: [.number("1")]), .row(line: 2, values: [.string("x")])])
    }

    @Test func aNonZeroExitThrowsWithTheStderrTailAfterTheRows() throws {
        let reader = try open("printf 'id\\n1\\n'; echo 'psql: connection refused' >&2; exit 3")
        #expect(try reader.next() == T.row(2, "1"))
        let expected = SourceError.commandFailed(
            command: "printf 'id\\n1\\n'; echo 'psql: connection refused' >&2; exit 3", status: 3,
            stderrTail: "psql: connection refused")
        #expect(throws: expected) { try reader.next() }
        #expect(expected.description == "source command exited with status 3: psql: connection refused")
        #expect(try reader.next() == nil)
    }

    @Test func aFailureBeforeTheHeaderThrowsFromOpen() throws {
        #expect(throws: SourceError.commandFailed(command: "echo nope >&2; exit 2", status: 2, stderrTail: "nope")) {
            try open("echo nope >&2; exit 2")
        }
        // The shell's wording differs between dash and bash; the status and the name don't.
        do {
            _ = try open("no-such-command-xyz")
            Issue.record("expected the command to fail")
        } catch {
            guard case .commandFailed(_, 127, let tail) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(tail.contains("no-such-command-xyz"))
        }
    }

    @Test func aTruncatedLastRecordIsNotReportedWhenTheCommandFails() throws {
        let reader = try open("printf 'id,name\\n1,Ann\\n2,Bo'; exit 1")
        #expect(try reader.next() == T.row(2, "1", "Ann"))
        #expect(
            throws: SourceError.commandFailed(
                command: "printf 'id,name\\n1,Ann\\n2,Bo'; exit 1", status: 1, stderrTail: "")
        ) {
            try reader.next()
        }
        #expect(
            SourceError.commandFailed(command: "x", status: 1, stderrTail: "").description
                == "source command exited with status 1 (nothing on stderr)")
    }

    @Test func aSignalIsReported() throws {
        let reader = try open("printf 'id\\n'; kill -9 $$")
        let error = SourceError.commandSignalled(command: "printf 'id\\n'; kill -9 $$", signal: 9, stderrTail: "")
        #expect(throws: error) { try T.drain(reader) }
        #expect(error.description == "source command was killed by signal 9 (SIGKILL) (nothing on stderr)")
    }

    @Test func aTimeoutKillsTheGroupAndReportsPromptly() throws {
        let directory = try T.directory()
        let command = "printf 'id\\n1\\n'; echo working >&2; sleep 30 & echo $! > child.pid; wait"
        let start = Date()
        let reader = try open(command, in: directory, timeout: 0.5)
        #expect(try reader.next() == T.row(2, "1"))
        #expect(throws: SourceError.commandTimedOut(command: command, seconds: 0.5, stderrTail: "working")) {
            try reader.next()
        }
        #expect(Date().timeIntervalSince(start) < 5)
        let child = try #require(
            pid_t(
                String(contentsOfFile: directory + "/child.pid", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        #expect(eventually(within: 10) { !isAlive(child) }, "pid \(child) still alive")
        #expect(
            SourceError.commandTimedOut(command: "x", seconds: 1800, stderrTail: "working").description
                == "source command timed out after 30m and was killed: working")
    }

    @Test func aCommandIgnoringSIGTERMIsKilledAfterTheGracePeriod() throws {
        let command = "trap '' TERM; printf 'id\\n'; sleep 30"
        let start = Date()
        let reader = try open(command, timeout: 0.3, grace: 0.3)
        #expect(throws: SourceError.commandTimedOut(command: command, seconds: 0.3, stderrTail: "")) {
            try T.drain(reader)
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func aTimeoutWhileWaitingForTheHeaderThrowsFromOpen() throws {
        let start = Date()
        #expect(throws: SourceError.commandTimedOut(command: "sleep 30", seconds: 0.3, stderrTail: "")) {
            try open("sleep 30", timeout: 0.3)
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func aStderrFloodNeitherHangsNorGrows() throws {
        // 5 MB on stderr before and after the rows: only a bounded tail is kept.
        let command =
            "head -c 5000000 /dev/zero | tr '\\0' x >&2; printf 'id\\n1\\n'; head -c 5000000 /dev/zero | tr '\\0' y >&2; exit 4"
        let reader = try open(command, timeout: 60)
        #expect(try reader.next() == T.row(2, "1"))
        do {
            _ = try reader.next()
            Issue.record("expected the command to fail")
        } catch {
            guard case .commandFailed(_, 4, let tail) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(tail.utf8.count <= 4096 + 3)
            #expect(tail.hasPrefix("…y"))
            #expect(tail.hasSuffix("yyyy"))
        }
    }

    @Test func aCommandThatPrintsNothingHasNoRows() throws {
        let reader = try open("true")
        #expect(reader.columns == [])
        #expect(throws: SourceError.missingColumns(missing: ["id"], available: [])) { try reader.project(["id"]) }
        #expect(try reader.next() == nil)
        let jsonl = try open("true", format: .jsonl)
        #expect(try jsonl.next() == nil)
    }

    @Test func theWorkingDirectoryIsHonoured() throws {
        let directory = try T.directory()
        try "id\n7\n".write(toFile: directory + "/data.csv", atomically: true, encoding: .utf8)
        let reader = try open("cat data.csv && pwd -P >&2 && exit 1", in: directory)
        #expect(try reader.next() == T.row(2, "7"))
        let real = try #require(realpath(directory, nil))
        defer { free(real) }
        #expect(
            throws: SourceError.commandFailed(
                command: "cat data.csv && pwd -P >&2 && exit 1", status: 1, stderrTail: String(cString: real))
        ) {
            try reader.next()
        }
    }

    @Test func aMissingWorkingDirectoryIsReported() throws {
        let missing = try T.directory() + "/gone"
        let error = SourceError.commandNotStarted(
            command: "true", reason: "working directory \"\(missing)\": No such file or directory")
        #expect(throws: error) { try open("true", in: missing) }
        #expect(
            error.description
                == "cannot start source command: working directory \"\(missing)\": No such file or directory")
    }

    @Test func closeKillsARunningCommandAndItsChildren() throws {
        let directory = try T.directory()
        let command =
            "echo $$ > shell.pid; sleep 300 & echo $! > child.pid; printf 'id\\n'; i=0; while :; do echo $i; i=$((i+1)); done"
        let reader = try open(command, in: directory)
        #expect(try reader.next() == T.row(2, "0"))
        #expect(try reader.next() == T.row(3, "1"))
        let shell = try #require(
            pid_t(
                String(contentsOfFile: directory + "/shell.pid", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        let child = try #require(
            pid_t(
                String(contentsOfFile: directory + "/child.pid", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        let start = Date()
        reader.close()
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(!isAlive(shell), "the shell is reaped, not left a zombie")
        #expect(eventually(within: 10) { !isAlive(child) }, "pid \(child) still alive")
        reader.close()
        #expect(try reader.next() == nil)
    }

    @Test func anInvalidTimeoutIsRefused() throws {
        #expect(throws: SourceError.invalidOptions(reason: "the command timeout must be a positive number of seconds"))
        {
            try open("true", timeout: 0)
        }
    }
}
