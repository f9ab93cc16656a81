import Foundation

/// This process as other ctsync processes see it: a unique holder ID for leases,
/// and the pid, host and boot of the machine so that a message can name the
/// holder and a lease left by a dead process on this machine can be reclaimed
/// at once instead of after it expires.
public struct HolderIdentity: Sendable, Equatable, CustomStringConvertible {
    /// Unique for the life of the process (a pid can be reused).
    public var id: String
    public var pid: Int32
    public var host: String
    /// Boot ID and pid namespace (see `bootID()`): pids are compared only within the same one.
    public var bootID: String

    public static let current = HolderIdentity(
        id: UUID().uuidString.lowercased(), pid: getpid(), host: hostName(), bootID: bootID())

    public var description: String { "pid \(pid) on host \(host)" }

    /// Whether `pid` on `host` (booted as `boot`) is a process that has exited:
    /// only answerable for this machine; anywhere else the answer is false.
    func isDeadLocalProcess(pid: Int32, host: String, boot: String) -> Bool {
        guard host == self.host, boot == bootID, !boot.isEmpty, pid > 0, pid != self.pid else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The kernel's boot ID and this process's pid namespace: containers on one host
    /// share the boot ID (and may share a host name) but not their pids, so a pid is
    /// only checked from the namespace it belongs to.
    static func bootID() -> String {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        let boot = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !boot.isEmpty else { return "" }
        let namespace = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? ""
        return namespace.isEmpty ? "" : boot + "/" + namespace
    }
}
