/// The jobs `--job NAME` picks out of the paths a command is given: names or globs
/// (`*` any run of characters, `?` one character), matched against each job's
/// `name:`. Empty selects every job.
public struct JobSelection: Sendable, Equatable {
    public var patterns: [Pattern]

    /// Every job.
    public static let all = JobSelection(patterns: [])

    public init(patterns: [Pattern]) {
        self.patterns = patterns
    }

    /// `--job` values as given.
    public init(_ texts: [String]) {
        patterns = texts.map(Pattern.init)
    }

    public var isEmpty: Bool { patterns.isEmpty }

    /// Whether some pattern matches `name`; true for every name when empty.
    public func matches(_ name: String) -> Bool {
        isEmpty || patterns.contains { $0.matches(name) }
    }

    /// One `--job` value.
    public struct Pattern: Sendable, Equatable {
        public var text: String

        public init(_ text: String) {
            self.text = text
        }

        /// Whether the glob matches all of `name`. Compared by Unicode scalar; `*` and
        /// `?` are the only special characters (job names hold neither).
        public func matches(_ name: String) -> Bool {
            let pattern = Array(text.unicodeScalars)
            let name = Array(name.unicodeScalars)
            // Greedy with backtracking to the last `*`: linear in practice, never exponential.
            var p = 0
            var n = 0
            var star: Int?
            var resume = 0
            while n < name.count {
                if p < pattern.count && (pattern[p] == "?" || (pattern[p] != "*" && pattern[p] == name[n])) {
                    p += 1
                    n += 1
                } else if p < pattern.count && pattern[p] == "*" {
                    star = p
                    resume = n
                    p += 1
                } else if let star {
                    p = star + 1
                    resume += 1
                    n = resume
                } else {
                    return false
                }
            }
            while p < pattern.count && pattern[p] == "*" { p += 1 }
            return p == pattern.count
        }
    }
}
