import FuzzSupport

@testable import CTSyncSource
@testable import CTSyncSpec

/// libFuzzer entry for `scripts/fuzz csv`: the bytes as a CSV source and as a TSV source.
///
/// Each dialect is read twice, through a 1 MiB buffer fed in one read and through a tiny
/// buffer fed a few bytes at a time: the two must agree event for event, because how
/// the bytes arrive must never change what a row says. A third pass with tiny field and
/// record limits drives the over-limit paths.
@_cdecl("fuzz_csv_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv) { data, size in csvFuzzTestOneInput(data!, size) }
}

/// One input.
func csvFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let small = 1 + size % 7

    for (format, header) in [(SourceFormat.csv, true), (.tsv, false)] {
        var options = CSVOptions(header: header)
        let whole = readCSV(bytes, format: format, options: options, capacity: 1 << 20, chunk: 1 << 20)
        let trickled = readCSV(bytes, format: format, options: options, capacity: small, chunk: small)
        precondition(
            whole.columns == trickled.columns && whole.events == trickled.events && whole.error == trickled.error,
            "\(format): the result depends on how the input was buffered")

        options.maxFieldBytes = 3
        options.maxRecordBytes = 9
        _ = readCSV(bytes, format: format, options: options, capacity: small, chunk: 2)
    }
    return 0
}

private struct CSVResult {
    var columns: [String]?
    var events: [RowEvent] = []
    var error: SourceError?
}

private func readCSV(_ bytes: [UInt8], format: SourceFormat, options: CSVOptions, capacity: Int, chunk: Int)
    -> CSVResult
{
    let buffer = InputBuffer(input: MemoryInput(bytes, chunk: chunk), capacity: capacity)
    let delimiter: UInt8 = format == .tsv ? 0x09 : options.delimiter
    let reader: CSVRowReader
    do {
        reader = try CSVRowReader(buffer: buffer, sourceName: "fuzz.csv", options: options, delimiter: delimiter)
    } catch {
        return CSVResult(columns: nil, error: error)
    }
    var result = CSVResult(columns: reader.columns)
    // Project the columns in reverse, with one repeated, as a job may.
    if let columns = reader.columns, !columns.isEmpty {
        do {
            try reader.project(columns.reversed() + [columns[0]])
        } catch {
            preconditionFailure("projecting the header's own columns failed: \(error)")
        }
    }
    (result.events, result.error) = drainEvents(reader)
    checkLines(result.events, in: bytes, firstLine: options.header ? 2 : 1)
    for event in result.events {
        if case .row(_, let values) = event, let columns = reader.columns {
            precondition(values.count == columns.count + 1, "a row with \(values.count) values")
        }
    }
    return result
}
