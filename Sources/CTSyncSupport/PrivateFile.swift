import Foundation

/// Files and folders only their owner can read: state, lock folders, reports, planned
/// records and rejects hold personal data (primary keys are often emails or phone
/// numbers). Modes are set explicitly, so they do not depend on the umask.
public enum PrivateFile {
    /// `rw-------`.
    public static let fileMode: mode_t = 0o600
    /// `rwx------`.
    public static let directoryMode: mode_t = 0o700

    /// Opens `path` for writing, truncated, creating it 0600. An existing regular file is
    /// set to 0600 too (its old contents are gone; the new ones are ours). Devices and
    /// pipes (`/dev/stdout`) are opened as they are. The descriptor is close-on-exec.
    public static func openForWriting(_ path: String) throws(OutputError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, fileMode)
        guard fd >= 0 else { throw OutputError(path: path, reason: errorText(errno)) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_mode & 0o777 != fileMode {
            // Fails only for another owner's file we may write to: not ours to change.
            _ = fchmod(fd, fileMode)
        }
        return fd
    }

    /// Opens (creating 0600 when missing) a file for reading and writing, such as a lock
    /// file; an existing file keeps its mode. Close-on-exec.
    public static func openOrCreate(_ path: String) throws(OutputError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, fileMode)
        guard fd >= 0 else { throw OutputError(path: path, reason: errorText(errno)) }
        return fd
    }

    /// Creates an empty 0600 file unless `path` exists, so that a library that creates
    /// files with the umask's mode (SQLite, whose `-wal` and `-shm` files copy the
    /// database file's mode) finds a private one. True when it created the file.
    @discardableResult
    public static func createIfMissing(_ path: String) throws(OutputError) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw OutputError(path: path, reason: errorText(errno))
        }
        _ = fchmod(fd, fileMode)
        close(fd)
        return true
    }

    /// Creates `path` and its missing parents as 0700 folders; folders that exist keep
    /// their mode (a shared parent such as `/tmp` is not ours to change).
    public static func makeDirectory(_ path: String) throws(OutputError) {
        guard !path.isEmpty, path != "." else { return }
        var isDirectory = false
        if FileSystem.exists(path, isDirectory: &isDirectory) {
            guard isDirectory else { throw OutputError(path: path, reason: "exists and is not a folder") }
            return
        }
        let parent = Paths.directory(of: path)
        if parent != path { try makeDirectory(parent) }
        if mkdir(path, directoryMode) != 0 {
            // Another process made it meanwhile: fine.
            if errno == EEXIST, FileSystem.exists(path, isDirectory: &isDirectory), isDirectory { return }
            throw OutputError(path: path, reason: errorText(errno))
        }
        _ = chmod(path, directoryMode)
    }

    /// Writes `bytes` to `path` atomically (a 0600 temporary file beside it, renamed over
    /// it), creating missing folders 0700. A reader sees the old file or the whole new one.
    public static func write(_ bytes: [UInt8], to path: String) throws(OutputError) {
        let directory = Paths.directory(of: path)
        try makeDirectory(directory)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = (directory == "." ? "" : directory + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard fd >= 0 else { throw OutputError(path: path, reason: errorText(errno)) }
        var failure: Int32 = 0
        _ = fchmod(fd, fileMode)
        failure = writeAll(fd, bytes)
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw OutputError(path: path, reason: errorText(failure))
        }
    }

    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR; 0, or the errno that stopped it.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }

    /// Whether users other than the owner may read `path` (its group or others have read
    /// permission); false when it does not exist.
    public static func isReadableByOthers(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return info.st_mode & 0o044 != 0
    }

    /// The permission bits of `path` (`0o600`), or nil when it does not exist.
    public static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
