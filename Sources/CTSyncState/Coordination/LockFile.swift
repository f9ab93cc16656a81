import Foundation
import CTSyncSupport

/// One open lock file and its flock(2) lock: the C boundary of the lock-file
/// coordinator. The kernel drops the lock when the process dies, however it dies,
/// so a SIGKILLed run leaves nothing to clean up. Not thread-safe.
final class LockFile {
    private(set) var path: String
    private var fd: Int32

    /// Opens (creating it 0600) the file. `O_CLOEXEC`: a source command ctsync
    /// starts must not inherit the descriptor and with it the lock.
    init(path: String) throws(CoordinationError) {
        self.path = path
        do {
            fd = try PrivateFile.openOrCreate(path)
        } catch {
            throw .io(path: path, message: error.reason)
        }
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Opens an existing file; nil when it is gone.
    static func existing(path: String) throws(CoordinationError) -> LockFile? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .io(path: path, message: String(cString: strerror(code)))
        }
        return LockFile(path: path, fd: fd)
    }

    deinit { close() }

    /// The open descriptor (-1 once closed).
    var descriptor: Int32 { fd }

    func close() {
        if fd >= 0 { _ = Foundation.close(fd) }
        fd = -1
    }

    /// Renames the file; the descriptor, and any lock on it, stay.
    func rename(to newPath: String) throws(CoordinationError) {
        if Foundation.rename(path, newPath) != 0 {
            throw .io(path: newPath, message: String(cString: strerror(errno)))
        }
        path = newPath
    }

    /// Takes the lock without waiting; false when another open file holds it.
    func tryLock(shared: Bool = false) throws(CoordinationError) -> Bool {
        while true {
            if flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 { return true }
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return false
            default: throw .io(path: path, message: String(cString: strerror(errno)))
            }
        }
    }

    /// Takes the lock, waiting for it: for locks others only ever hold for a moment.
    func lock() throws(CoordinationError) {
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw .io(path: path, message: String(cString: strerror(errno))) }
        }
    }

    func unlock() {
        _ = flock(fd, LOCK_UN)
    }

    /// Replaces the contents (which say who holds the lock).
    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    func read(limit: Int = 512) -> String {
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, limit, 0) }
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }

    /// A file name for `text` that is safe on any file system: letters, digits, `-`,
    /// `_` and `.` stay, anything else becomes `%XX`; long names end in a hash.
    static func safeName(_ text: String) -> String {
        var name = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                name.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: ".") where !name.isEmpty:
                name.unicodeScalars.append(UnicodeScalar(byte))
            default:
                name += String(format: "%%%02X", byte)
            }
        }
        if name.utf8.count > 100 {
            let hash = RecordHash(bytes: Array(text.utf8)).high
            name = String(name.prefix(80)) + "-" + String(format: "%016llx", hash)
        }
        return name
    }
}
