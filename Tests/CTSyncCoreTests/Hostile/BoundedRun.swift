import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `ctsync` run on hostile input, with the bounds every such run must keep.
///
/// The child runs in a process group of its own (so a run past its deadline is killed
/// with everything it started) under `prlimit --as` (a safety net: a runaway allocation
/// fails inside the child instead of starving the shared machine). Its peak resident
/// memory is its `VmHWM`, sampled from `/proc` every few milliseconds while it runs:
/// `wait4`'s `ru_maxrss` would not do, because it also counts the memory of the test
/// process that spawned it (the spawn shares the test's address space until `exec`).
struct BoundedRun: Sendable {
    /// The resident-memory bound every hostile run must stay under.
    static let maxResidentBytes = 300 << 20
    /// The wall-clock bound every hostile run must finish in.
    static let maxSeconds = 10.0
    /// The address-space cap the child runs under: far above the resident bound,
    /// because a Swift process reserves much more than it touches (thread stacks, heap
    /// arenas, more of both on machines with more cores).
    static let addressSpaceCap = 2 << 30

    var status: Int32
    /// The signal that ended the process, if one did.
    var signal: Int32?
    var stdout: String
    var stderr: String
    var stderrBytes: Int
    var seconds: Double
    var maxResidentBytes: Int
    var timedOut: Bool

    /// Runs `ctsync arguments…` from `directory` and checks the bounds: it finished on its
    /// own within ``maxSeconds``, was not killed by a signal (a crash) and stayed under
    /// ``maxResidentBytes``.
    ///
    /// `setup` is a shell snippet run first (from `directory`), for inputs that need a
    /// process of their own, such as a writer feeding a named pipe.
    ///
    /// The child is waited for on a thread of its own (``runDetached(_:)``), not on the
    /// cooperative pool.
    static func ctsync(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, setup: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> BoundedRun {
        let run = try await runDetached {
            try launch(
                [Products.ctsync] + arguments, environment: environment, directory: directory, setup: setup,
                deadline: maxSeconds * 3)
        }
        #expect(!run.timedOut, "still running after \(maxSeconds * 3) s; killed", sourceLocation: sourceLocation)
        #expect(
            run.signal == nil, "killed by signal \(run.signal ?? 0): \(run.stderr.suffix(2000))",
            sourceLocation: sourceLocation)
        #expect(run.seconds < maxSeconds, "took \(run.seconds) s", sourceLocation: sourceLocation)
        #expect(
            run.maxResidentBytes < maxResidentBytes, "peak resident memory \(run.maxResidentBytes >> 20) MiB",
            sourceLocation: sourceLocation)
        return run
    }

    /// Spawns `argv` under the address-space cap and collects its output and peak memory,
    /// killing its process group at `deadline` seconds.
    static func launch(
        _ argv: [String], environment: [String: String], directory: String?, setup: String?, deadline: Double
    ) throws -> BoundedRun {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("CLEVERTAP_") || key.hasPrefix("CTSYNC_") { env[key] = nil }
        // A crash must end the process at once rather than wait on Swift's backtracer.
        env["SWIFT_BACKTRACE"] = "enable=no"
        // Two heap arenas, not one a thread: address space the cap should not count.
        env["MALLOC_ARENA_MAX"] = "2"
        env.merge(environment) { _, new in new }

        var command = argv
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") {
            command = ["/usr/bin/prlimit", "--as=\(addressSpaceCap)", "--"] + argv
        }
        if directory != nil || setup != nil {
            // posix_spawn has no portable chdir action; a shell that execs keeps the pid.
            let script = "cd \"$0\" && { \(setup ?? ":")\n} && exec \"$@\""
            command = ["/bin/sh", "-c", script, directory ?? "."] + command
        }

        // Close-on-exec, so that children other tests spawn meanwhile do not inherit
        // these pipes and hold them open past this child's exit.
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let cArgs = command.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }

        let start = Date()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, cArgs, cEnv)
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }

        // Drain both pipes on this thread until both close or the deadline passes.
        var out: [UInt8] = []
        var err: [UInt8] = []
        var errTotal = 0
        var open = [true, true]
        var timedOut = false
        var peakResident = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while open[0] || open[1] {
            let remaining = deadline - Date().timeIntervalSince(start)
            if remaining <= 0 {
                timedOut = true
                kill(-pid, SIGKILL)
                break
            }
            var fds = [
                pollfd(fd: open[0] ? outPipe[0] : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open[1] ? errPipe[0] : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, Int32(min(remaining, 0.005) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            peakResident = max(peakResident, residentHighWater(pid))
            for (index, fd) in [outPipe[0], errPipe[0]].enumerated() where open[index] && fds[index].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count <= 0 {
                    if count < 0 && errno == EINTR { continue }
                    open[index] = false
                } else if index == 0 {
                    out += chunk[0..<count]
                } else {
                    errTotal += count
                    // Keep a bounded amount: a flood must not cost the test its memory either.
                    if err.count < 16 << 20 { err += chunk[0..<min(count, (16 << 20) - err.count)] }
                }
            }
        }

        var rawStatus: Int32 = 0
        while waitpid(pid, &rawStatus, 0) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(start)
        let signalled = rawStatus & 0x7F != 0 && rawStatus & 0x7F != 0x7F
        return BoundedRun(
            status: signalled ? -1 : (rawStatus >> 8) & 0xFF,
            signal: signalled ? rawStatus & 0x7F : nil,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self),
            stderrBytes: errTotal,
            seconds: seconds,
            maxResidentBytes: peakResident,
            timedOut: timedOut)
    }

    /// The process's `VmHWM` in bytes (its peak resident set so far), or 0 once it has exited.
    private static func residentHighWater(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

}

/// Where the hostile fixtures are, in the test bundle's resources.
enum HostileFixtures {
    static func path(_ relative: String) throws -> String {
        let url = try #require(
            Bundle.module.url(forResource: relative, withExtension: nil, subdirectory: "Fixtures/hostile"),
            "missing fixture Fixtures/hostile/\(relative)")
        return url.path
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }
}
