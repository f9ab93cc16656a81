import FuzzSupport

@testable import CTSyncSource
@testable import CTSyncSpec

/// libFuzzer entry for `scripts/fuzz jsonl`: the bytes as a JSONL source.
///
/// Read through a 1 MiB buffer fed in one read and through a tiny buffer fed a few bytes
/// at a time: the two must agree event for event. A third pass with a tiny line limit
/// and depth limit drives the over-limit paths.
@_cdecl("fuzz_jsonl_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv) { data, size in jsonlFuzzTestOneInput(data!, size) }
}

/// One input.
func jsonlFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let small = 1 + size % 7
    // Keys a job might project, including ones that need unescaping to match.
    let keys = ["id", "email", "a", "é", "", "id"]

    let whole = readJSONL(bytes, options: JSONLOptions(), keys: keys, capacity: 1 << 20, chunk: 1 << 20)
    let trickled = readJSONL(bytes, options: JSONLOptions(), keys: keys, capacity: small, chunk: small)
    precondition(
        whole.events == trickled.events && whole.error == trickled.error,
        "the result depends on how the input was buffered")

    _ = readJSONL(bytes, options: JSONLOptions(maxLineBytes: 8, maxDepth: 2), keys: keys, capacity: small, chunk: 2)
    return 0
}

private func readJSONL(_ bytes: [UInt8], options: JSONLOptions, keys: [String], capacity: Int, chunk: Int)
    -> (events: [RowEvent], error: SourceError?)
{
    let buffer = InputBuffer(input: MemoryInput(bytes, chunk: chunk), capacity: capacity)
    let reader: JSONLRowReader
    do {
        reader = try JSONLRowReader(buffer: buffer, options: options)
        try reader.project(keys)
    } catch {
        return ([], error)
    }
    let result = drainEvents(reader)
    checkLines(result.events, in: bytes, firstLine: 1)
    for event in result.events {
        if case .row(_, let values) = event {
            precondition(values.count == keys.count, "a row with \(values.count) values")
        }
    }
    return result
}
