import CTSyncSpec

/// The first rows of a source, every column kept: what `ctsync init` guesses mappings
/// from and `ctsync check` compares a JSONL source's keys with.
public struct SourceSample: Sendable {
    /// CSV/TSV: the header. JSONL: every top-level key of the sampled lines, in the order
    /// they first appear.
    public var columns: [String]
    /// The sampled rows' values by column; a JSONL row has only the keys its line has.
    public var rows: [[String: Value]]
    /// Records among those sampled that could not be read.
    public var invalid: Int
    /// Whether the input ended within the sample (it was read whole).
    public var isComplete: Bool

    /// Reads up to `maxRows` records from a reader no column was projected on, then
    /// leaves it open (the caller closes it: a command is stopped then).
    public static func read(from reader: any RowReader, maxRows: Int) throws(SourceError) -> SourceSample {
        var sample = SourceSample(columns: reader.columns ?? [], rows: [], invalid: 0, isComplete: false)
        if let jsonl = reader as? JSONLRowReader {
            var seen = Set<String>()
            while sample.rows.count + sample.invalid < maxRows {
                switch try jsonl.nextMembers() {
                case nil:
                    sample.isComplete = true
                    return sample
                case .invalid:
                    sample.invalid += 1
                case .members(_, let members):
                    var row: [String: Value] = [:]
                    for (key, value) in members where row[key] == nil {
                        row[key] = value
                        if seen.insert(key).inserted { sample.columns.append(key) }
                    }
                    sample.rows.append(row)
                }
            }
            return sample
        }
        while sample.rows.count + sample.invalid < maxRows {
            switch try reader.next() {
            case nil:
                sample.isComplete = true
                return sample
            case .invalid:
                sample.invalid += 1
            case .row(_, let values):
                var row: [String: Value] = [:]
                for (column, value) in zip(sample.columns, values) where row[column] == nil { row[column] = value }
                sample.rows.append(row)
            }
        }
        return sample
    }
}
