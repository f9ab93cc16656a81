import CTSyncYAML

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

/// Builds jobs and rows for the mapper tests without YAML.
enum MappingFixture {
    static let mark = Mark(file: "jobs/test.yaml", line: 1, column: 1)

    static func located<T>(_ value: T) -> Located<T> { Located(value, mark) }

    /// A mapping from a column (`from`) or of a constant (`value`).
    static func map(
        _ column: String?, to target: String, _ transforms: [Transform] = [], value: Value? = nil
    ) -> Mapping {
        Mapping(
            column: column.map(located), constant: value.map(located), target: located(target),
            transforms: transforms.map(located), mark: mark)
    }

    static func job(
        _ object: ObjectType, _ mappings: [Mapping], primaryKey: String? = nil, identityKind: IdentityKind? = nil
    ) -> JobSpec {
        JobSpec(
            file: mark.file, version: 1, name: located("test"), description: nil,
            destination: Destination(
                region: located(.in1), accountID: located("ACCOUNT"), passcode: located("PASSCODE"), endpoint: nil),
            source: SourceSpec(
                input: .file(written: located("rows.csv"), resolved: "rows.csv"), format: .csv, delimiter: nil,
                header: true, timeout: nil, mark: mark),
            object: located(object), mode: located(.upsert), primaryKey: primaryKey.map(located), mappings: mappings,
            identityKind: identityKind.map(located), options: .defaults(at: mark), mark: mark)
    }

    /// A profile job: identity from column `id`, then `mappings`.
    static func profile(_ mappings: [Mapping], identityKind: IdentityKind? = nil) -> RecordMapper {
        RecordMapper(spec: job(.profiles, [map("id", to: "identity")] + mappings, identityKind: identityKind))
    }

    /// An event job: identity from `id`, evtName the constant `Order Placed`, then `mappings`.
    static func event(_ mappings: [Mapping]) -> RecordMapper {
        RecordMapper(
            spec: job(
                .events,
                [map("id", to: "identity"), map(nil, to: "evtName", value: .string("Order Placed"))] + mappings))
    }

    /// Maps a row given as column → value (missing columns are null).
    static func run(_ mapper: RecordMapper, _ row: [String: Value], line: Int = 2) -> MappedRow {
        mapper.map(mapper.columns.map { row[$0] ?? .null }, line: line)
    }

    /// The record's JSON text, or the rejection described.
    static func json(_ mapper: RecordMapper, _ row: [String: Value]) -> String {
        switch run(mapper, row) {
        case .record(let record): String(decoding: record.json, as: UTF8.self)
        case .rejected(let rejection): "rejected \(rejection.reason.rawValue): \(rejection.message)"
        }
    }

    static func rejection(_ mapper: RecordMapper, _ row: [String: Value]) -> RowRejection? {
        if case .rejected(let rejection) = run(mapper, row) { return rejection }
        return nil
    }

    static func record(_ mapper: RecordMapper, _ row: [String: Value]) -> EncodedRecord? {
        if case .record(let record) = run(mapper, row) { return record }
        return nil
    }

    /// The JSON written for property `Value` of a profile whose column `v` holds `cell`
    /// after `transforms`: `"Value":…` is cut out of the record; `nil` when the property is
    /// omitted; the rejection's reason and message when the row is rejected.
    static func property(
        _ cell: Value, _ transforms: [Transform], target: String = "Value"
    ) -> String? {
        let mapper = profile([map("v", to: target, transforms)])
        let text = json(mapper, ["id": .string("u1"), "v": cell])
        if text.hasPrefix("rejected") { return text }
        let prefix = "{\"type\":\"profile\",\"identity\":\"u1\",\"profileData\":{"
        precondition(text.hasPrefix(prefix) && text.hasSuffix("}}"), text)
        let body = String(text.dropFirst(prefix.count).dropLast(2))
        if body.isEmpty { return nil }
        let key = "\"\(target)\":"
        precondition(body.hasPrefix(key), body)
        return String(body.dropFirst(key.count))
    }

    /// A string cell.
    static func s(_ text: String) -> Value { .string(text) }

    /// `e164` with a default country code, checked as the decoder checks it.
    static func e164(_ code: String) -> Transform {
        try! TransformKind.e164.transform(argument: code)
    }

    /// `split` on `separator`, checked as the decoder checks it.
    static func split(_ separator: String) -> Transform {
        try! TransformKind.split.transform(argument: separator)
    }
}
