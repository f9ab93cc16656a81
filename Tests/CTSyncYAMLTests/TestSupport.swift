import Foundation
import Testing

@testable import CTSyncYAML

/// An in-memory source named `test.yaml`, so expected descriptions are short.
func source(_ text: String, path: String = "test.yaml") -> SourceText {
    SourceText(path: path, bytes: Array(text.utf8))
}

func load(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> Node? {
    try YAMLLoader.load(source(text), limits: limits)
}

/// The error loading `source` throws, or nil if it loads.
func loadError(_ source: SourceText, limits: YAMLLimits = .default) -> YAMLError? {
    do {
        _ = try YAMLLoader.load(source, limits: limits)
        return nil
    } catch {
        return error
    }
}

func loadError(_ bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLError? {
    loadError(SourceText(path: "test.yaml", bytes: bytes), limits: limits)
}

func loadError(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
    loadError(Array(text.utf8), limits: limits)
}

/// A fixture from `Fixtures/`, with its path shown as `Fixtures/<name>` so
/// marks do not depend on where the test bundle lives.
func fixture(_ name: String) throws -> SourceText {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    return SourceText(path: "Fixtures/\(name)", bytes: Array(try Data(contentsOf: url)))
}

func mark(_ line: Int, _ column: Int, file: String = "test.yaml") -> Mark {
    Mark(file: file, line: line, column: column)
}

/// The keys of a mapping in order, for asserting order after merges.
func keys(_ node: Node?) -> [String] {
    node?.mapping?.compactMap { $0.key.scalar?.value } ?? []
}
