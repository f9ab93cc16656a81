#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls the sources share, under names that a type's own `read(into:)` and
/// `close()` don't shadow.
enum SourceSyscalls {
    /// The system's description of an `errno` value.
    static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// read(2), retried on EINTR; `nil` with `errno` set on failure.
    static func readDescriptor(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Int? {
        while true {
            let result = read(fd, buffer, count)
            if result >= 0 { return result }
            if errno != EINTR { return nil }
        }
    }

    /// close(2), ignoring the result: there is nothing useful to do about a failed close
    /// of a descriptor we only read from.
    static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }
}
