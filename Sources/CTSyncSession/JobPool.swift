/// Runs the jobs of one `ctsync run` or `ctsync plan` a few at a time (`--parallel`).
public enum JobPool {
    /// How many jobs run at once unless `--parallel` says otherwise.
    public static let defaultParallel = 4
    /// The most `--parallel` allows: every job runs its own planner threads and
    /// sending window, and the jobs of one account share its 15 request slots anyway.
    public static let maxParallel = 64

    /// Why a `--parallel` value cannot be used, or nil when it can.
    public static func problem(parallel: Int) -> String? {
        (1...maxParallel).contains(parallel)
            ? nil
            : "--parallel must be between 1 and \(maxParallel) (jobs run at once; 1 runs them one after another), found \(parallel)"
    }

    /// Calls `work` for each of `count` jobs, at most `limit` at once, starting them in
    /// job order; hands each result to `deliver` in job order, as soon as that job and
    /// every job before it are done. `shouldStart` is asked before each job starts:
    /// once it says false, no further job starts (and none after it is delivered).
    public static func run<Value: Sendable>(
        count: Int, limit: Int, shouldStart: () -> Bool = { true },
        work: @escaping @Sendable (Int) async -> Value,
        deliver: (Int, Value) async -> Void
    ) async {
        await withTaskGroup(of: (Int, Value).self) { group in
            var done: [Int: Value] = [:]
            var nextToDeliver = 0
            var running = 0
            func finished(_ index: Int, _ result: Value) async {
                running -= 1
                done[index] = result
                while let result = done.removeValue(forKey: nextToDeliver) {
                    await deliver(nextToDeliver, result)
                    nextToDeliver += 1
                }
            }
            for index in 0..<count {
                if running >= max(1, limit), let first = await group.next() {
                    await finished(first.0, first.1)
                }
                guard shouldStart() else { break }
                running += 1
                group.addTask { (index, await work(index)) }
            }
            while let last = await group.next() { await finished(last.0, last.1) }
        }
    }
}
