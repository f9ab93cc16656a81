/// "Did you mean" suggestions for misspelled keys and names.
package enum Suggestion {
    /// The closest candidate within a small edit distance, if any.
    static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        let length = lowered.unicodeScalars.count
        for candidate in candidates {
            let limit = max(1, min(3, candidate.count / 3))
            // The distance is at least the difference in length: skip the quadratic
            // computation for a word that cannot be a typo (a hostile 1 MB key).
            guard abs(length - candidate.unicodeScalars.count) <= limit else { continue }
            let distance = editDistance(lowered, candidate.lowercased())
            guard distance <= limit else { continue }
            if best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        return best?.0
    }

    /// `; did you mean "x"?` or nothing.
    package static func hint(for word: String, in candidates: some Sequence<String>) -> String {
        guard let match = closest(to: word, in: candidates) else { return "" }
        return "; did you mean \"\(match)\"?"
    }

    /// Edit distance over Unicode scalars where swapping two neighbours counts as
    /// one edit (optimal string alignment): `mdoe` is one edit from `mode`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
