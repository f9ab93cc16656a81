/// Reads JSONL (NDJSON) objects, one per line; see ``JSONLOptions`` for the dialect and
/// ``JSONLScanner`` for how lines are parsed.
final class JSONLRowReader: RowReader {
    let columns: [String]? = nil

    private var scanner: JSONLScanner
    private var isFinished = false

    init(buffer: consuming InputBuffer, options: JSONLOptions) throws(SourceError) {
        scanner = JSONLScanner(buffer: buffer, options: options)
        do {
            try scanner.buffer.skipByteOrderMark()
        } catch {
            scanner.buffer.close()
            throw error
        }
    }

    func project(_ wanted: [String]) throws(SourceError) {
        scanner.project(wanted)
    }

    func next() throws(SourceError) -> RowEvent? {
        guard !isFinished else { return nil }
        do {
            if let event = try scanner.nextEvent() { return event }
        } catch {
            close()
            throw error
        }
        close()
        return nil
    }

    /// The next line with all its top-level members (see ``JSONLScanner/nextMembers()``).
    func nextMembers() throws(SourceError) -> JSONLScanner.SampledLine? {
        guard !isFinished else { return nil }
        do {
            if let line = try scanner.nextMembers() { return line }
        } catch {
            close()
            throw error
        }
        close()
        return nil
    }

    func close() {
        isFinished = true
        scanner.buffer.close()
    }
}
