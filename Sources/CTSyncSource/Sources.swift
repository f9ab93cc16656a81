import CTSyncSpec

/// Opens the row readers the planner pulls from.
public enum Sources {
    /// How long a command gets to exit after SIGTERM before its group is sent SIGKILL.
    public static let defaultTerminationGrace = 2.0

    /// Opens a file source. CSV and TSV headers are read before this returns.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - format: How to parse it.
    ///   - csv: Options for CSV and TSV (ignored for JSONL).
    ///   - jsonl: Options for JSONL (ignored for CSV and TSV).
    public static func open(
        file path: String,
        format: SourceFormat,
        csv: CSVOptions,
        jsonl: JSONLOptions = JSONLOptions()
    ) throws(SourceError) -> any RowReader {
        try open(file: path, format: format, csv: csv, jsonl: jsonl, bufferCapacity: InputBuffer.defaultCapacity)
    }

    /// Runs `/bin/sh -c command` from `workingDirectory` and reads its stdout as `format`.
    ///
    /// The command runs in its own process group with stdin from `/dev/null`; the end of
    /// its stderr is kept for error messages. When the output ends, `next()` waits for the
    /// command and throws ``SourceError/commandFailed(command:status:stderrTail:)`` or
    /// ``SourceError/commandSignalled(command:signal:stderrTail:)`` if it did not succeed.
    /// After `timeout` seconds the group gets SIGTERM, then SIGKILL after
    /// `terminationGrace`, and the read throws ``SourceError/commandTimedOut(command:seconds:stderrTail:)``.
    /// The deadline and the stderr drain run while the reader waits for output (one
    /// thread, poll(2)); a command left blocked on a full pipe because the caller stopped
    /// pulling is killed at the caller's next `next()` once the deadline has passed.
    /// For CSV and TSV this blocks until the command prints its header (or ends); a
    /// command that fails before printing anything throws here.
    ///
    /// - Parameter environment: the command's whole environment; nil for this process's
    ///   (jobs pass ``CommandEnvironment``'s, without ctsync's secrets).
    public static func open(
        command: String,
        workingDirectory: String,
        format: SourceFormat,
        csv: CSVOptions,
        jsonl: JSONLOptions = JSONLOptions(),
        environment: [String: String]? = nil,
        timeout: Double?,
        terminationGrace: Double = defaultTerminationGrace
    ) throws(SourceError) -> any RowReader {
        try open(
            command: command, workingDirectory: workingDirectory, format: format, csv: csv, jsonl: jsonl,
            environment: environment, timeout: timeout, terminationGrace: terminationGrace,
            bufferCapacity: InputBuffer.defaultCapacity)
    }

    // MARK: Internal, with a configurable buffer for tests

    static func open(
        file path: String, format: SourceFormat, csv: CSVOptions, jsonl: JSONLOptions, bufferCapacity: Int
    ) throws(SourceError) -> any RowReader {
        try validate(format: format, csv: csv, jsonl: jsonl)
        let input = try FileInput(path: path)
        return try reader(
            over: InputBuffer(input: input, capacity: bufferCapacity), named: path, format: format, csv: csv,
            jsonl: jsonl)
    }

    static func open(
        command: String, workingDirectory: String, format: SourceFormat, csv: CSVOptions, jsonl: JSONLOptions,
        environment: [String: String]? = nil, timeout: Double?, terminationGrace: Double, bufferCapacity: Int
    ) throws(SourceError) -> any RowReader {
        try validate(format: format, csv: csv, jsonl: jsonl)
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw .invalidOptions(reason: "the command timeout must be a positive number of seconds")
        }
        guard terminationGrace >= 0 && terminationGrace.isFinite else {
            throw .invalidOptions(reason: "the termination grace period must be zero or more seconds")
        }
        let process = try CommandProcess(
            command: command, workingDirectory: workingDirectory, environment: environment, timeout: timeout,
            grace: terminationGrace)
        return try reader(
            over: InputBuffer(input: process, capacity: bufferCapacity), named: "source command output", format: format,
            csv: csv, jsonl: jsonl)
    }

    private static func reader(
        over buffer: consuming InputBuffer, named name: String, format: SourceFormat, csv: CSVOptions,
        jsonl: JSONLOptions
    ) throws(SourceError) -> any RowReader {
        switch format {
        case .csv: try CSVRowReader(buffer: buffer, sourceName: name, options: csv, delimiter: csv.delimiter)
        case .tsv: try CSVRowReader(buffer: buffer, sourceName: name, options: csv, delimiter: 0x09)
        case .jsonl: try JSONLRowReader(buffer: buffer, options: jsonl)
        }
    }

    private static func validate(format: SourceFormat, csv: CSVOptions, jsonl: JSONLOptions) throws(SourceError) {
        switch format {
        case .csv, .tsv:
            let delimiter = format == .tsv ? 0x09 : csv.delimiter
            for (name, byte) in [("delimiter", delimiter), ("quote", csv.quote)] {
                guard byte > 0 && byte < 0x80 && byte != 0x0A && byte != 0x0D else {
                    throw .invalidOptions(reason: "the CSV \(name) must be an ASCII character other than a line break")
                }
            }
            guard delimiter != csv.quote else {
                throw .invalidOptions(reason: "the CSV delimiter and quote must differ")
            }
            guard csv.maxFieldBytes > 0 && csv.maxRecordBytes > 0 else {
                throw .invalidOptions(reason: "the CSV field and record limits must be positive")
            }
        case .jsonl:
            guard jsonl.maxLineBytes > 0 && jsonl.maxDepth > 0 else {
                throw .invalidOptions(reason: "the JSONL line and depth limits must be positive")
            }
        }
    }
}
