import Foundation
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// Helpers shared by the source suites.
enum SourceTesting {
    /// A fresh file holding `bytes`, removed when the process exits.
    static func file(_ bytes: [UInt8], name: String = "source") throws -> String {
        let directory = try directory()
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func file(_ text: String, name: String = "source") throws -> String {
        try file(Array(text.utf8), name: name)
    }

    /// A fresh empty directory under the system's temporary directory.
    static func directory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-sources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// The path of a fixture under `Fixtures/sources`.
    static func fixture(_ name: String) throws -> String {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/sources"))
        return url.path
    }

    /// Every event up to the end of the input.
    static func drain(_ reader: any RowReader) throws(SourceError) -> [RowEvent] {
        var events: [RowEvent] = []
        while let event = try reader.next() { events.append(event) }
        return events
    }

    /// Reads `bytes` as a file with the given buffer capacity; returns the columns and
    /// every event, projected on `project` when given.
    static func read(
        _ bytes: [UInt8], format: SourceFormat = .csv, csv: CSVOptions = CSVOptions(),
        jsonl: JSONLOptions = JSONLOptions(),
        project: [String]? = nil, capacity: Int = InputBuffer.defaultCapacity
    ) throws -> (columns: [String]?, events: [RowEvent]) {
        let path = try file(bytes)
        let reader = try Sources.open(file: path, format: format, csv: csv, jsonl: jsonl, bufferCapacity: capacity)
        defer { reader.close() }
        if let project { try reader.project(project) }
        return (reader.columns, try drain(reader))
    }

    static func read(
        _ text: String, format: SourceFormat = .csv, csv: CSVOptions = CSVOptions(),
        jsonl: JSONLOptions = JSONLOptions(),
        project: [String]? = nil, capacity: Int = InputBuffer.defaultCapacity
    ) throws -> (columns: [String]?, events: [RowEvent]) {
        try read(Array(text.utf8), format: format, csv: csv, jsonl: jsonl, project: project, capacity: capacity)
    }

    /// A row of strings (an empty string stands for `.null`).
    static func row(_ line: Int, _ cells: String...) -> RowEvent {
        .row(line: line, values: cells.map { $0.isEmpty ? .null : .string($0) })
    }
}
