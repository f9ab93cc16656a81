import Foundation
import Testing

/// Hostile source commands through the built `ctsync plan`: a command that fails, hangs,
/// floods stderr, prints nothing or prints garbage ends with one clear message (exit 1,
/// the end of its stderr and nothing else), in bounded time and memory.
@Suite("Hostile source commands (ctsync plan)")
struct HostileCommandSourceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let command: String
        var timeout = "30s"
        let expected: PlanOutcome

        var testDescription: String { name }
    }

    static let prefix = "ctsync plan: job.yaml: "
    static let missing = "missing columns \"email\", \"name\", \"id\" in source"
    static let header = #"printf 'id,email,name\n1,a@x.com,Ann\n'"#

    static let cases: [Case] = [
        Case(
            name: "fails before printing anything",
            command: #"echo 'psql: error: connection to server at "db" (10.0.0.5), port 5432 failed: FATAL:  password authentication failed for user "etl"' >&2; exit 2"#,
            expected: PlanOutcome(
                status: 1,
                stderr: prefix
                    + "source command exited with status 2: psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  password authentication failed for user \"etl\"\n"
            )),
        Case(
            name: "fails after printing rows",
            command: header + "; echo 'ERROR:  canceling statement due to statement timeout' >&2; exit 1",
            expected: PlanOutcome(
                status: 1,
                stderr: prefix + "source command exited with status 1: ERROR:  canceling statement due to statement timeout\n")),
        Case(
            name: "killed by a signal", command: header + "; kill -SEGV $$",
            expected: PlanOutcome(
                status: 1, stderr: prefix + "source command was killed by signal 11 (SIGSEGV) (nothing on stderr)\n")),
        Case(
            name: "hangs before printing anything", command: "sleep 600", timeout: "1s",
            expected: PlanOutcome(
                status: 1, stderr: prefix + "source command timed out after 1s and was killed (nothing on stderr)\n",
                minSeconds: 1)),
        Case(
            name: "hangs after printing rows", command: header + "; echo 'still copying' >&2; sleep 600", timeout: "1s",
            expected: PlanOutcome(
                status: 1, stderr: prefix + "source command timed out after 1s and was killed: still copying\n",
                minSeconds: 1)),
        Case(
            name: "hangs and ignores SIGTERM (killed after the grace period)",
            command: "trap '' TERM; " + header + "; sleep 600", timeout: "1s",
            expected: PlanOutcome(
                status: 1, stderr: prefix + "source command timed out after 1s and was killed (nothing on stderr)\n",
                minSeconds: 1)),
        Case(
            name: "floods stderr with 50 MB, then fails",
            command: #"head -c 50000000 /dev/zero | tr '\000' e >&2; echo 'the last words' >&2; exit 1"#,
            expected: PlanOutcome(
                status: 1,
                stderr: prefix + "source command exited with status 1: …"
                    + String(repeating: "e", count: 4096 - "the last words\n".utf8.count) + "the last words\n")),
        Case(
            name: "floods stderr with 50 MB, then succeeds",
            command: #"head -c 50000000 /dev/zero | tr '\000' w >&2; "# + header,
            expected: PlanOutcome(counts: (1, 0, 1), plannedNames: ["Ann"], stderr: "")),
        Case(
            name: "writes terminal escape sequences and NUL bytes to stderr",
            command: #"printf '\033[2J\033]0;pwned\007\000\r\nreal error\n' >&2; exit 1"#,
            expected: PlanOutcome(
                status: 1,
                stderr: prefix + "source command exited with status 1: \\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{0}\nreal error\n")),
        Case(
            name: "prints nothing and succeeds", command: "true",
            expected: PlanOutcome(
                status: 1,
                stderr: prefix + missing
                    + "; the source has no header row (the file is empty or the command printed nothing)\n")),
        Case(
            name: "prints binary garbage", command: #"printf '\177ELF\002\001\001\000,\033[2J\033]0;pwned\007,\377\n'"#,
            expected: PlanOutcome(
                status: 1,
                stderr: prefix + missing
                    + "; columns are: \"\\u{7f}ELF\\u{2}\\u{1}\\u{1}\\u{0}\", \"\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\", \u{FFFD}\n")),
        Case(
            name: "prints a header of 200,000 columns",
            command: #"awk 'BEGIN { for (i = 0; i < 200000; i++) printf "c%d,", i; print "last" }'"#,
            expected: PlanOutcome(
                status: 1,
                stderr: prefix + missing + "; columns are: "
                    + (0..<50).map { "c\($0)" }.joined(separator: ", ") + ", … (199951 more)\n")),
    ]

    @Test(arguments: cases)
    func plan(_ hostile: Case) async throws {
        let dir = TemporaryDirectory()
        let command = hostile.command.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        dir.write("job.yaml", HostilePlan.job(source: "{ command: \"\(command)\", format: csv, timeout: \(hostile.timeout) }"))
        try await HostilePlan.check(hostile.expected, job: "job.yaml", in: dir)
    }
}
