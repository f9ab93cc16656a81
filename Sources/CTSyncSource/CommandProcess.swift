#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A source command: `/bin/sh -c COMMAND` in its own process group, read as a ``ByteInput``.
///
/// One thread does everything, with poll(2): while the reader waits for stdout, stderr is
/// drained into a bounded ``StderrTail`` (so a command that floods stderr neither
/// deadlocks nor grows memory) and the deadline is enforced. The deadline is checked
/// whenever the reader asks for bytes; a command blocked on a full pipe while the caller
/// is busy elsewhere is killed at the next read. On timeout or ``close()`` the whole
/// group gets SIGTERM, then SIGKILL after a grace period, and the shell is reaped.
final class CommandProcess: ByteInput {
    private let command: String
    private let pid: pid_t
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var tail = StderrTail()
    private let timeout: Double?
    /// Monotonic seconds; cleared once the shell has exited, as there is nothing left to time.
    private var deadline: Double?
    private let grace: Double
    private var isReaped = false
    private var didTimeOut = false
    /// How the shell ended, once reaped: nil for success, or the error to report.
    private var outcome: SourceError?
    private let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)

    /// Starts the command; it is running when this returns.
    /// - Parameter environment: the command's environment; nil for this process's.
    init(
        command: String, workingDirectory: String, environment: [String: String]? = nil, timeout: Double?, grace: Double
    ) throws(SourceError) {
        self.command = command
        self.timeout = timeout
        self.grace = grace
        self.deadline = timeout.map { Self.now() + $0 }

        var info = stat()
        guard stat(workingDirectory, &info) == 0 else {
            chunk.deallocate()
            throw .commandNotStarted(
                command: command,
                reason: "working directory \(SourceWording.quoted(workingDirectory)): \(SourceSyscalls.errorText(errno))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            chunk.deallocate()
            throw .commandNotStarted(
                command: command, reason: "working directory \(SourceWording.quoted(workingDirectory)) is not a directory")
        }
        do {
            (pid, stdoutFD, stderrFD) = try Self.spawn(
                command: command, workingDirectory: workingDirectory, environment: environment)
        } catch {
            chunk.deallocate()
            throw error
        }
    }

    deinit {
        close()
        chunk.deallocate()
    }

    // MARK: ByteInput

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SourceError) -> Int {
        guard stdoutFD >= 0, buffer.count > 0 else { return 0 }
        while true {
            try checkDeadline()
            var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)]
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), pollTimeout())
            if ready < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: "source command output", reason: SourceSyscalls.errorText(errno))
            }
            if fds.count > 1 && fds[1].revents != 0 { drainStderr() }
            guard fds[0].revents != 0 else { continue }
            guard let count = SourceSyscalls.readDescriptor(stdoutFD, into: buffer.baseAddress!, count: buffer.count)
            else {
                throw .readFailed(path: "source command output", reason: SourceSyscalls.errorText(errno))
            }
            if count > 0 { return count }
            SourceSyscalls.closeDescriptor(stdoutFD)
            stdoutFD = -1
            try finish()
            return 0
        }
    }

    func close() {
        if stdoutFD >= 0 {
            SourceSyscalls.closeDescriptor(stdoutFD)
            stdoutFD = -1
        }
        if stderrFD >= 0 {
            SourceSyscalls.closeDescriptor(stderrFD)
            stderrFD = -1
        }
        guard !isReaped else { return }
        terminate()
    }

    // MARK: Lifecycle

    /// After stdout ends: waits for the shell (still draining stderr and honouring the
    /// deadline), reaps it and throws if it failed.
    private func finish() throws(SourceError) {
        var pause = 1.0
        while !hasExited() {
            try checkDeadline()
            if stderrFD >= 0 {
                var fds = [pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
                if poll(&fds, 1, min(Int32(pause), pollTimeout(orInfinity: Int32.max))) > 0 { drainStderr() }
            } else {
                usleep(useconds_t(pause * 1000))
            }
            pause = min(pause * 2, 50)
        }
        // What the command wrote just before exiting; don't wait for background children
        // that may still hold stderr open.
        for _ in 0..<64 where stderrFD >= 0 {
            var fds = [pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, 0) > 0 else { break }
            drainStderr()
        }
        reap()
        if let outcome { throw outcome }
    }

    /// Kills the group if the deadline has passed while the shell still runs.
    private func checkDeadline() throws(SourceError) {
        guard let deadline, !didTimeOut, Self.now() >= deadline else { return }
        guard !hasExited() else {
            // The shell finished in time; stop whatever it left running that still holds
            // our pipes (its pid is unreaped, so the group id is still ours).
            kill(-pid, SIGKILL)
            self.deadline = nil
            return
        }
        didTimeOut = true
        terminate()
        if let outcome { throw outcome }
    }

    /// SIGTERM to the group, SIGKILL once the shell exits or the grace period ends, then
    /// reap. The shell stays unreaped (a zombie at worst) until then, so its pid cannot be
    /// reused and `kill(-pid, …)` reaches only its own group.
    private func terminate() {
        guard !isReaped else { return }
        if !hasExited() {
            kill(-pid, SIGTERM)
            let giveUp = Self.now() + grace
            var pause = 1.0
            while !hasExited() && Self.now() < giveUp {
                if stderrFD >= 0 {
                    var fds = [pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
                    if poll(&fds, 1, Int32(pause)) > 0 { drainStderr() }
                } else {
                    usleep(useconds_t(pause * 1000))
                }
                pause = min(pause * 2, 50)
            }
        }
        kill(-pid, SIGKILL)
        reap()
    }

    /// Whether the shell has exited, without reaping it.
    private func hasExited() -> Bool {
        guard !isReaped else { return true }
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 {
            if errno != EINTR { return true }
        }
        #if os(Linux)
            return info._sifields._sigchld.si_pid != 0
        #else
            return info.si_pid != 0
        #endif
    }

    /// Waits for the shell and records how it ended.
    private func reap() {
        guard !isReaped else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        isReaped = true
        let signal = status & 0x7F
        let exitStatus = (status >> 8) & 0xFF
        if didTimeOut {
            outcome = .commandTimedOut(command: command, seconds: timeout ?? 0, stderrTail: tail.text)
        } else if signal != 0 {
            outcome = .commandSignalled(command: command, signal: signal, stderrTail: tail.text)
        } else if exitStatus != 0 {
            outcome = .commandFailed(command: command, status: exitStatus, stderrTail: tail.text)
        }
    }

    // MARK: Pipes

    private func drainStderr() {
        guard stderrFD >= 0 else { return }
        guard let count = SourceSyscalls.readDescriptor(stderrFD, into: chunk.baseAddress!, count: chunk.count),
            count > 0
        else {
            SourceSyscalls.closeDescriptor(stderrFD)
            stderrFD = -1
            return
        }
        tail.append(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
    }

    /// Milliseconds until the deadline for poll(2), or `infinity` without one.
    private func pollTimeout(orInfinity infinity: Int32 = -1) -> Int32 {
        guard let deadline else { return infinity }
        let remaining = (deadline - Self.now()) * 1000
        return Int32(max(0, min(remaining.rounded(.up), Double(Int32.max))))
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    // MARK: Spawning

    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// glibc declares posix_spawn_file_actions_addchdir_np (2.29+) and pipe2 only under
    /// _GNU_SOURCE, which Swift's Glibc module doesn't define, so they are looked up at
    /// run time.
    private static let addChdir: AddChdir? = systemFunction("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    private static let pipe2: Pipe2? = systemFunction("pipe2", as: Pipe2.self)

    private static func systemFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// Spawns `/bin/sh -c command` with stdin from /dev/null and stdout and stderr on new
    /// pipes, in a new process group, with default signal dispositions.
    private static func spawn(
        command: String, workingDirectory: String, environment: [String: String]?
    ) throws(SourceError) -> (pid_t, Int32, Int32) {
        func failure(_ reason: String) -> SourceError { .commandNotStarted(command: command, reason: reason) }

        guard let outPipe = makePipe() else {
            throw failure("cannot create a pipe: \(SourceSyscalls.errorText(errno))")
        }
        guard let errPipe = makePipe() else {
            SourceSyscalls.closeDescriptor(outPipe.read)
            SourceSyscalls.closeDescriptor(outPipe.write)
            throw failure("cannot create a pipe: \(SourceSyscalls.errorText(errno))")
        }
        var started = false
        defer {
            SourceSyscalls.closeDescriptor(outPipe.write)
            SourceSyscalls.closeDescriptor(errPipe.write)
            if !started {
                SourceSyscalls.closeDescriptor(outPipe.read)
                SourceSyscalls.closeDescriptor(errPipe.read)
            }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe.write, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if workingDirectory != "." {
            guard let addChdir else {
                throw failure("this system's C library cannot start a process in another directory")
            }
            let code = addChdir(&actions, workingDirectory)
            guard code == 0 else {
                throw failure("cannot set the working directory: \(SourceSyscalls.errorText(code))")
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // Ignored signals survive exec; a command must not inherit, say, our ignored SIGPIPE.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [
            SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2, SIGTSTP, SIGTTIN, SIGTTOU,
            SIGXFSZ,
        ] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer {
            for argument in argv { free(argument) }
        }
        var pid: pid_t = 0
        // NAME=value strings; sorted, so a command sees the same order every run.
        var entries: [UnsafeMutablePointer<CChar>?] =
            environment.map { $0.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil] } ?? []
        defer {
            for entry in entries { free(entry) }
        }
        #if os(Linux)
            let inherited = environ
        #else
            let inherited = _NSGetEnviron().pointee
        #endif
        let result =
            environment == nil
            ? posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, inherited)
            : entries.withUnsafeMutableBufferPointer { posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, $0.baseAddress) }
        guard result == 0 else { throw failure("/bin/sh: \(SourceSyscalls.errorText(result))") }
        started = true
        #if os(Linux)
            // A bigger pipe (F_SETPIPE_SZ, Linux only) means fewer wake-ups for fast commands.
            _ = fcntl(outPipe.read, 1031, Int32(1 << 20))
        #endif
        return (pid, outPipe.read, errPipe.read)
    }

    /// A close-on-exec pipe whose descriptors are above the standard three, so the
    /// child's dup2 onto 0, 1 and 2 can never clobber one of them.
    ///
    /// pipe2(2) sets close-on-exec atomically, so a command spawned concurrently from
    /// another thread cannot inherit the write end and hold our stdout open.
    private static func makePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&fds) == 0 else { return nil }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        for slot in 0..<2 where fds[slot] < 3 {
            let moved = fcntl(fds[slot], F_DUPFD_CLOEXEC, Int32(3))
            SourceSyscalls.closeDescriptor(fds[slot])
            fds[slot] = moved
        }
        guard fds[0] >= 0, fds[1] >= 0 else {
            fds.filter { $0 >= 0 }.forEach(SourceSyscalls.closeDescriptor)
            return nil
        }
        return (fds[0], fds[1])
    }
}
