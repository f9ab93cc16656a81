#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Settings ctsync applies to its own process before it reads any secret.
public enum ProcessHardening {
    /// Marks the process non-dumpable (Linux `prctl(PR_SET_DUMPABLE, 0)`): no core file
    /// holds the passcode, and no other process of the same user, a source command
    /// included, can read ctsync's environment or memory through `/proc/PID/environ`,
    /// `/proc/PID/mem` or ptrace. Commands ctsync starts are dumpable again after exec.
    /// True when the flag is set; false elsewhere than on Linux.
    @discardableResult
    public static func makeNonDumpable() -> Bool {
        #if os(Linux)
            guard let prctl else { return false }
            return prctl(prSetDumpable, 0, 0, 0, 0) == 0
        #else
            return false
        #endif
    }

    /// Whether the process is dumpable (`prctl(PR_GET_DUMPABLE)`); nil where unknown.
    public static var isDumpable: Bool? {
        #if os(Linux)
            guard let prctl else { return nil }
            let value = prctl(prGetDumpable, 0, 0, 0, 0)
            return value < 0 ? nil : value != 0
        #else
            return nil
        #endif
    }

    #if os(Linux)
        private static let prGetDumpable: Int32 = 3
        private static let prSetDumpable: Int32 = 4

        private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32

        /// prctl(2) is variadic in C, which Swift does not import; on Linux's calling
        /// conventions a call with five integer arguments through this prototype is the
        /// same call.
        private static let prctl: Prctl? = {
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "prctl") else { return nil }
            return unsafeBitCast(symbol, to: Prctl.self)
        }()
    #endif
}
