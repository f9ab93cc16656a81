/// Reads RFC 4180 CSV (or TSV) records; see ``CSVOptions`` for the dialect and
/// ``CSVScanner`` for how the bytes are scanned.
final class CSVRowReader: RowReader {
    private(set) var columns: [String]?

    private var scanner: CSVScanner
    /// The file path, or a description of a command's output, for source-level errors.
    private let sourceName: String
    private let hasHeader: Bool
    /// Name to index, first occurrence winning.
    private var columnIndex: [String: Int] = [:]
    private var isFinished = false
    /// Without a header, the first record is scanned at open to count the columns and is
    /// reported by the first `next()`.
    private var hasPendingRecord = false

    /// Reads the header (or, without one, scans the first record) before returning.
    init(buffer: consuming InputBuffer, sourceName: String, options: CSVOptions, delimiter: UInt8) throws(SourceError) {
        self.scanner = CSVScanner(buffer: buffer, delimiter: delimiter, options: options)
        self.sourceName = sourceName
        self.hasHeader = options.header
        do {
            try readHeader()
        } catch {
            scanner.buffer.close()
            throw error
        }
    }

    // MARK: RowReader

    func project(_ wanted: [String]) throws(SourceError) {
        var indices: [Int] = []
        var missing: [String] = []
        indices.reserveCapacity(wanted.count)
        for name in wanted {
            if let index = columnIndex[name] {
                indices.append(index)
            } else {
                missing.append(name)
            }
        }
        guard missing.isEmpty else {
            throw .missingColumns(missing: missing, available: columns ?? [])
        }
        scanner.projection = indices
    }

    func next() throws(SourceError) -> RowEvent? {
        guard !isFinished else { return nil }
        do {
            if hasPendingRecord {
                hasPendingRecord = false
                return scanner.event()
            }
            while try scanner.scanRecord() {
                if !scanner.isBlankLine { return scanner.event() }
            }
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

    // MARK: Header

    private func readHeader() throws(SourceError) {
        try scanner.buffer.skipByteOrderMark()
        var found = false
        while try scanner.scanRecord() {
            if !scanner.isBlankLine {
                found = true
                break
            }
        }
        guard found else {
            columns = []
            return
        }
        let columnCount = scanner.fields.count
        let names: [String]
        if hasHeader {
            if let problem = scanner.problem {
                throw .readFailed(
                    path: sourceName, reason: "the header row is invalid: \(scanner.message(for: problem))")
            }
            names = scanner.texts()
            scanner.names = names
        } else {
            names = (1...columnCount).map(String.init)
            hasPendingRecord = true
        }
        columns = names
        for (index, name) in names.enumerated() where columnIndex[name] == nil {
            columnIndex[name] = index
        }
        scanner.columnCount = columnCount
        scanner.projection = Array(0..<columnCount)
    }
}
