import Foundation
import Testing

/// Hostile job files through the built `ctsync lint`: each has one expected outcome (exit
/// status, the first finding with its location, the summary) and must be refused in
/// bounded time and memory, without a crash (see ``BoundedRun``).
@Suite("Hostile job files (ctsync lint)")
struct HostileJobFileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Writes the input into the directory and returns the path to lint.
        let build: @Sendable (TemporaryDirectory) throws -> String
        let status: Int32
        /// The first finding from its location on: `12:7: error: message [rule]`.
        let finding: String
        /// The last line: `1 file checked: N errors, M warnings`.
        let summary: String
        /// A tighter memory bound than ``BoundedRun/maxResidentBytes``, in MiB.
        var maxResidentMiB: Int?
        /// The most bytes the run may write to stderr.
        var maxStderrBytes = 64 << 10
        /// A shell snippet run in the directory just before ctsync, for inputs that need a
        /// process of their own (a writer feeding a named pipe).
        var setup: String?

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Alias bombs.
        Case(
            name: "billion laughs (9 levels of 9 aliases)", build: fixture("yaml/billion-laughs.yaml"), status: 1,
            finding:
                "6:8: error: alias expansion exceeds the limit of 100000 nodes (possible billion laughs attack) [yaml-composer]",
            summary: oneError),
        Case(
            name: "quadratic blowup (a 500 KB scalar behind 1,500 aliases)", build: quadraticBlowup, status: 1,
            finding:
                "11:21: error: alias expansion exceeds the limit of 4194304 bytes of text (possible quadratic blowup attack) [yaml-composer]",
            summary: oneError),
        Case(
            name: "5,000 findings on one 85 KB line", build: manyFindingsOnOneLine, status: 1,
            finding: "1:78: warning: environment variable P is not set [unset-variable]",
            summary: "1 file checked: 5000 errors, 2 warnings", maxStderrBytes: 4 << 20),

        // Nesting.
        Case(
            name: "10,000-deep flow nesting", build: write(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)),
            status: 1, finding: "1:65: error: nesting deeper than 64 levels [yaml-composer]", summary: oneError),
        Case(
            name: "10,000-deep block nesting", build: write(String(repeating: "- ", count: 10_000) + "x\n"), status: 1,
            finding: "1:129: error: nesting deeper than 64 levels [yaml-composer]", summary: oneError),
        Case(
            name: "10,000-deep nested flow mappings", build: write(String(repeating: "{a: ", count: 10_000) + "x" + String(repeating: "}", count: 10_000)),
            status: 1, finding: "1:257: error: nesting deeper than 64 levels [yaml-composer]", summary: oneError),

        // Size.
        Case(
            name: "a 100 MB scalar", build: hugeScalarFile, status: 1,
            finding: "1:1: error: file is too large (104857617 bytes; the limit is 1048576 bytes) [yaml-size]",
            summary: oneError, maxResidentMiB: 64),
        Case(
            name: "a 100 MB scalar through a FIFO (no size to check up front)", build: { $0.path + "/job.yaml" },
            status: 1,
            finding: "1:1: error: file is too large (more than 1048576 bytes; the limit is 1048576 bytes) [yaml-size]",
            summary: oneError, maxResidentMiB: 64, setup: hugeScalarFIFO),
        Case(
            name: "an endless device (/dev/zero)", build: { _ in "/dev/zero" }, status: 1,
            finding: "1:1: error: file is too large (more than 1048576 bytes; the limit is 1048576 bytes) [yaml-size]",
            summary: oneError, maxResidentMiB: 64),

        // Encoding and binary files.
        Case(
            name: "invalid UTF-8 (Latin-1 é)", build: writeBytes(Array("version: 1\nname: caf".utf8) + [0xE9] + [0x0A]),
            status: 1, finding: "2:10: error: invalid UTF-8 (byte 0xE9); the file must be UTF-8 encoded [yaml-encoding]",
            summary: oneError),
        Case(
            name: "UTF-16 with a byte order mark", build: writeBytes([0xFF, 0xFE] + Array("v\0:\0 \01\0".utf8)), status: 1,
            finding:
                "1:1: error: file is UTF-16 or UTF-32 encoded (it starts with a byte order mark); only UTF-8 is supported [yaml-encoding]",
            summary: oneError),
        Case(
            name: "an ELF executable named .yaml", build: fixture("yaml/elf.yaml"), status: 1,
            finding: "1:8: error: file is not text (it contains a NUL byte) [yaml-encoding]", summary: oneError),
        Case(
            name: "a PNG image named .yaml", build: fixture("yaml/png.yaml"), status: 1,
            finding: "3:1: error: file is not text (it contains a NUL byte) [yaml-encoding]", summary: oneError),
        Case(
            name: "4 KiB of random bytes named .yaml", build: fixture("yaml/random.yaml"), status: 1,
            finding: "1:8: error: file is not text (it contains a NUL byte) [yaml-encoding]", summary: oneError),
        Case(
            name: "a terminal escape sequence", build: write("version: 1\nname: \u{1B}]0;pwned\u{07}\n"), status: 1,
            finding: "2:7: error: control character U+001B is not allowed [yaml-reader]", summary: oneError),

        // Syntax the spec format refuses.
        Case(
            name: "tab indentation", build: fixture("yaml/tabs.yaml"), status: 1,
            finding:
                "5:1: error: found character that cannot start any token while scanning for the next token (tabs are not allowed for indentation) [yaml-scanner]",
            summary: oneError),
        Case(
            name: "duplicate keys", build: fixture("yaml/duplicate-keys.yaml"), status: 1,
            finding: "8:1: error: duplicate key \"mode\" (first defined at line 7, column 1) [yaml-composer]",
            summary: oneError),
        Case(
            name: "several documents", build: fixture("yaml/several-documents.yaml"), status: 1,
            finding: "11:1: error: multiple documents are not supported [yaml-composer]", summary: oneError),
        Case(
            name: "a 900 KB misspelled key", build: write("version: 1\n? " + String(repeating: "k", count: 900_000) + "\n: 1\n"),
            status: 1, finding: "1:1: error: job is missing the required key \"destination\" [missing-key]",
            summary: "1 file checked: 6 errors, 0 warnings", maxStderrBytes: 4 << 10),

        // Nothing in it.
        Case(
            name: "an empty file", build: write(""), status: 1,
            finding: "1:1: error: job file is empty [empty-job]", summary: oneError),
        Case(
            name: "only comments", build: fixture("yaml/only-comments.yaml"), status: 1,
            finding: "1:1: error: job file is empty [empty-job]", summary: oneError),
    ]

    @Test(arguments: cases)
    func lint(_ hostile: Case) async throws {
        let dir = TemporaryDirectory()
        let path = try hostile.build(dir)
        let run = try await BoundedRun.ctsync(["lint", path], directory: dir.path, setup: hostile.setup)
        #expect(run.status == hostile.status, "\(run.stderr.prefix(2000))")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == path + ":" + hostile.finding)
        #expect(lines.last == hostile.summary)
        #expect(run.stderrBytes <= hostile.maxStderrBytes, "\(run.stderrBytes) bytes on stderr")
        if let limit = hostile.maxResidentMiB {
            #expect(run.maxResidentBytes < limit << 20, "peak resident memory \(run.maxResidentBytes >> 20) MiB")
        }
        // Whatever the input, nothing reaches the terminal that could drive it.
        #expect(!run.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F })
    }

    // MARK: - Inputs

    static let oneError = "1 file checked: 1 error, 0 warnings"

    static func fixture(_ name: String) -> @Sendable (TemporaryDirectory) throws -> String {
        { dir in
            let path = dir.path + "/" + (name as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: try HostileFixtures.path(name), toPath: path)
            return path
        }
    }

    static func write(_ text: String) -> @Sendable (TemporaryDirectory) throws -> String {
        writeBytes(Array(text.utf8))
    }

    static func writeBytes(_ bytes: [UInt8]) -> @Sendable (TemporaryDirectory) throws -> String {
        { dir in
            let path = dir.path + "/job.yaml"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    /// The start of a valid profiles job, up to `mappings:`.
    static let jobHead = """
        version: 1
        name: hostile
        destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
        source: { file: data.csv }
        object: profiles
        mappings:

        """

    /// One 500 KB anchored scalar, then 1,500 mappings that alias it twice each: a file
    /// of half a megabyte whose values add up to 1.5 GB of text.
    static let quadraticBlowup: @Sendable (TemporaryDirectory) throws -> String = { dir in
        var text = jobHead + "  - { from: &a \"" + String(repeating: "k", count: 500_000) + "\", to: identity }\n"
        for _ in 0..<1_500 { text += "  - { from: *a, to: *a }\n" }
        return try write(text)(dir)
    }

    /// A minified job: one line, 5,000 mappings writing the same target.
    static let manyFindingsOnOneLine: @Sendable (TemporaryDirectory) throws -> String = { dir in
        let head =
            "{version: 1, name: q, destination: { region: in1, account_id: \"1\", passcode: \"${P}\" }, "
            + "source: { file: x.csv }, object: profiles, mappings: [{from: e, to: identity}"
        return try write(head + String(repeating: ", {from: a, to: b}", count: 5_000) + "]}\n")(dir)
    }

    /// `version: 1\nname: ` and 100 MiB of `x`, written in 1 MiB chunks.
    static let hugeScalarFile: @Sendable (TemporaryDirectory) throws -> String = { dir in
        let path = dir.path + "/job.yaml"
        FileManager.default.createFile(atPath: path, contents: Data("version: 1\nname: ".utf8))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: chunk) }
        return path
    }

    /// A named pipe that a background writer fills with a 100 MB scalar. The writer is
    /// started by the shell that then execs ctsync, so it lives in ctsync's process group
    /// (killed with it at the deadline) and stops when ctsync closes the pipe (SIGPIPE).
    static let hugeScalarFIFO =
        "mkfifo job.yaml && { { printf 'version: 1\\nname: '; head -c 104857600 /dev/zero | tr '\\000' x; } > job.yaml 2>/dev/null & }"
}
