import CTSyncSpec
import CTSyncSupport

/// Turns source rows into the CleverTap records a job sends, or into rejections.
///
/// Compiled once per job: columns, transforms with parsed arguments, target rules and
/// the escaped, sorted property keys. ``map(_:line:)`` is the per-row hot path: it copies
/// the row's cells into a reused byte arena, works on plain values there (no reference
/// counting), writes the record into a reused buffer, and allocates only the record it
/// returns.
///
/// Per row, checks run in a fixed order and the first failure rejects the row; a
/// rejected row is then checked again in full, so its rejection lists every problem
/// (valid rows never take that path):
/// `identity` (its mappings' transforms, presence, size, `identity_kind`), the primary key,
/// `evtName` (events), `ts`, then the properties in job order (transforms, key size,
/// standard-field format, value size), then the custom property count. When several
/// mappings share a target, all are transformed and checked, and the first one in job
/// order with a value is written. A profile job's `evtName` mapping is ignored (lint
/// reports it).
///
/// Not thread-safe: it reuses buffers across rows. Use one per task.
public final class RecordMapper {
    /// Source columns the mapper reads, in the order ``map(_:line:)`` expects their values:
    /// every `from` column (deduplicated, in order of first use), then the primary key
    /// column if no mapping reads it.
    public let columns: [String]

    private let object: ObjectType
    private let identityKind: IdentityKind
    /// Columns that mappings read (the primary key alone is not copied into the arena).
    private let loadedColumnCount: Int
    private let fields: UnsafeMutableBufferPointer<CompiledField>
    /// Each field's CleverTap target, for messages.
    private let targets: [String]
    /// Each field's constant text, so a constant `evtName` needs no decoding per row.
    private let constantTexts: [String?]
    private let transforms: UnsafeMutableBufferPointer<CompiledTransform>
    private let identityFields: UnsafeMutableBufferPointer<Int>
    private let eventNameFields: UnsafeMutableBufferPointer<Int>
    private let timestampFields: UnsafeMutableBufferPointer<Int>
    /// Property fields in job order: the order they are checked in.
    private let propertyFields: UnsafeMutableBufferPointer<Int>
    /// Distinct property targets sorted by their UTF-8 bytes: the order they are written in.
    private let properties: UnsafeMutableBufferPointer<OutputProperty>
    /// The fields of each property, in job order (``OutputProperty/fields`` ranges into it).
    private let propertySources: UnsafeMutableBufferPointer<Int>
    /// The job's property keys sorted by their UTF-8 bytes: ``EncodedRecord/properties`` indexes them.
    public let propertyKeys: [String]
    private let primaryKeyIndex: Int?
    private let primaryKeyColumn: String?
    /// Whether the job maps more custom properties than CleverTap keeps, so rows must be counted.
    private let countsCustomProperties: Bool
    /// Each loaded column's value in the current row.
    private let inputs: UnsafeMutableBufferPointer<MappedValue>
    /// Each field's checked value in the current row.
    private let slots: UnsafeMutableBufferPointer<MappedValue>
    private var arena: RowArena
    private var output: RawBuffer<UInt8>

    // MARK: - Limits (clevertap.md)

    static let maxKeyBytes = 120
    static let maxValueBytes = 512
    static let maxCustomProperties = 256
    static let maxMultiValueItems = 100

    public init(spec: JobSpec) {
        let object = spec.object.value
        self.object = object
        identityKind = spec.identityKind?.value ?? .custom
        var arena = RowArena()

        var columns: [String] = []
        var columnIndex: [String: Int] = [:]
        func index(of column: String) -> Int {
            if let index = columnIndex[column] { return index }
            columns.append(column)
            columnIndex[column] = columns.count - 1
            return columns.count - 1
        }

        var fields: [CompiledField] = []
        var targets: [String] = []
        var constantTexts: [String?] = []
        var transforms: [CompiledTransform] = []
        var identityFields: [Int] = []
        var eventNameFields: [Int] = []
        var timestampFields: [Int] = []
        var propertyFields: [Int] = []
        for mapping in spec.mappings {
            let target = mapping.target.value
            let role: CompiledField.Role
            switch target {
            case "identity": role = .identity
            case "ts": role = .timestamp
            case "evtName": role = .eventName
            default: role = .property
            }
            let column = mapping.column.map { index(of: $0.value) } ?? -1
            let constant = mapping.column == nil ? arena.load(mapping.constant?.value ?? .null) : .null
            let firstTransform = transforms.count
            for transform in mapping.transforms {
                transforms.append(Self.compile(transform.value, into: &arena))
            }
            let fieldIndex = fields.count
            fields.append(
                CompiledField(
                    column: column, constant: constant, transforms: firstTransform..<transforms.count, role: role,
                    rule: object == .profiles && role == .property ? PropertyRule(profileKey: target) : .plain,
                    keyTooLong: target.utf8.count > Self.maxKeyBytes))
            targets.append(target)
            switch mapping.constant?.value {
            case .string(let text), .number(let text), .json(let text): constantTexts.append(text)
            default: constantTexts.append(nil)
            }
            switch role {
            case .identity: identityFields.append(fieldIndex)
            case .timestamp: timestampFields.append(fieldIndex)
            case .eventName: if object == .events { eventNameFields.append(fieldIndex) }
            case .property: propertyFields.append(fieldIndex)
            }
        }
        loadedColumnCount = columns.count

        var byTarget: [String: [Int]] = [:]
        for fieldIndex in propertyFields {
            byTarget[targets[fieldIndex], default: []].append(fieldIndex)
        }
        var properties: [OutputProperty] = []
        var propertySources: [Int] = []
        for target in byTarget.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let keyStart = arena.bytes.count
            RecordWriter.keyPrefix(target).withUnsafeBufferPointer { arena.bytes.append($0) }
            let sourceStart = propertySources.count
            propertySources.append(contentsOf: byTarget[target]!)
            properties.append(
                OutputProperty(
                    keyPrefix: keyStart..<arena.bytes.count, fields: sourceStart..<propertySources.count,
                    isCustom: object == .events || PropertyRule.isCustom(profileKey: target)))
        }
        countsCustomProperties = properties.count(where: \.isCustom) > Self.maxCustomProperties
        propertyKeys = byTarget.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })

        if let primaryKey = spec.effectivePrimaryKey {
            primaryKeyIndex = index(of: primaryKey)
            primaryKeyColumn = primaryKey
        } else {
            primaryKeyIndex = nil
            primaryKeyColumn = nil
        }
        arena.constantCount = arena.bytes.count

        self.columns = columns
        self.targets = targets
        self.constantTexts = constantTexts
        self.fields = Self.buffer(fields)
        self.transforms = Self.buffer(transforms)
        self.identityFields = Self.buffer(identityFields)
        self.eventNameFields = Self.buffer(eventNameFields)
        self.timestampFields = Self.buffer(timestampFields)
        self.propertyFields = Self.buffer(propertyFields)
        self.properties = Self.buffer(properties)
        self.propertySources = Self.buffer(propertySources)
        inputs = Self.buffer(Array(repeating: .null, count: loadedColumnCount))
        slots = Self.buffer(Array(repeating: .null, count: fields.count))
        self.arena = arena
        output = RawBuffer(capacity: 4096)
    }

    deinit {
        fields.deallocate()
        transforms.deallocate()
        identityFields.deallocate()
        eventNameFields.deallocate()
        timestampFields.deallocate()
        propertyFields.deallocate()
        properties.deallocate()
        propertySources.deallocate()
        inputs.deallocate()
        slots.deallocate()
        arena.free()
        output.free()
    }

    /// The elements in manually managed memory, freed in `deinit`; only for trivial types.
    private static func buffer<Element>(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
        assert(_isPOD(Element.self))
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
    }

    private static func compile(_ transform: Transform, into arena: inout RowArena) -> CompiledTransform {
        switch transform {
        case .trim: return .trim
        case .lowercase: return .lowercase
        case .uppercase: return .uppercase
        case .msToS: return .msToS
        case .iso8601: return .iso8601
        case .date: return .date
        case .number: return .number
        case .bool: return .bool
        case .string: return .string
        case .gender: return .gender
        case .default(let replacement): return .default(arena.bytes.append(replacement))
        case .split(let separator): return .split(separator: arena.bytes.append(separator.text))
        case .e164(let code): return .e164(countryCode: code.map { arena.bytes.append($0.digits) } ?? 0..<0)
        }
    }

    // MARK: - Rows

    /// Maps one row projected onto ``columns`` (missing trailing values count as null).
    /// `line` is the source line or row number, carried into the result for messages.
    public func map(_ values: [Value], line: Int) -> MappedRow {
        let primaryKey = primaryKeyIndex.map { Self.rawText($0 < values.count ? values[$0] : .null) } ?? ""
        var arena = self.arena
        var output = self.output
        defer {
            self.arena = arena
            self.output = output
        }
        arena.reset()
        for column in 0..<loadedColumnCount {
            inputs[column] = column < values.count ? arena.load(values[column]) : .null
        }
        do {
            let record = try encode(values, primaryKey: primaryKey, line: line, arena: &arena, output: &output)
            return .record(record)
        } catch {
            // Invalid rows only: the path above stops at the first problem and costs a
            // valid row nothing extra; this one checks the row again for all of them.
            return .rejected(
                RowRejection(
                    line: line, primaryKey: primaryKey.isEmpty ? nil : primaryKey,
                    problems: problems(primaryKey: primaryKey, first: error, arena: &arena)))
        }
    }

    /// Every problem of the current row, in the order ``encode`` checks them: each
    /// mapping's transforms and checks run whatever failed before. `first` is what
    /// `encode` threw; it leads the list.
    private func problems(primaryKey: String, first: RowProblem, arena: inout RowArena) -> [RowProblem] {
        var problems: [RowProblem] = []
        if let identity = collectReserved(identityFields, name: "identity", arena: &arena, into: &problems) {
            do { try checkIdentity(arena[identity]) } catch { problems.append(error) }
        }
        // A key read from the identity's own column (profiles without primary_key): its
        // emptiness is the identity's problem, said once.
        let keyIsIdentity = identityFields.contains { fields[$0].column == primaryKeyIndex }
        if let primaryKeyColumn, primaryKey.isEmpty, !(keyIsIdentity && !problems.isEmpty) {
            problems.append(
                RowProblem(
                    field: primaryKeyColumn, reason: .primaryKeyMissing,
                    message: "the primary key column \(primaryKeyColumn) is empty"))
        }
        if object == .events,
            let eventName = collectReserved(eventNameFields, name: "evtName", arena: &arena, into: &problems)
        {
            do { try EventRules.check(eventName: arena[eventName]) } catch { problems.append(error) }
        }
        var timestamped = false
        for index in timestampFields {
            do {
                let value = try evaluate(index, arena: &arena)
                if !timestamped, !value.isAbsent {
                    timestamped = true
                    _ = try Self.timestamp(value, arena)
                }
            } catch {
                problems.append(error)
            }
        }
        for index in propertyFields {
            slots[index] = .null
            do {
                let value = try evaluate(index, arena: &arena)
                if !value.isAbsent { slots[index] = try checkProperty(value, index, arena) }
            } catch {
                problems.append(error)
            }
        }
        if countsCustomProperties {
            do { try checkCustomPropertyCount() } catch { problems.append(error) }
        }
        // The same checks in the same order find `first` first; never lose or repeat it.
        if problems.first != first {
            problems.removeAll { $0 == first }
            problems.insert(first, at: 0)
        }
        return problems
    }

    /// Like ``reservedText(_:name:arena:)``, collecting every failure into `problems`
    /// instead of stopping at the first; nil when one of the fields failed.
    private func collectReserved(
        _ fields: UnsafeMutableBufferPointer<Int>, name: String, arena: inout RowArena, into problems: inout [RowProblem]
    ) -> Range<Int>? {
        var text: Range<Int>?
        var chosen = false
        var failed = false
        for index in fields {
            do throws(RowProblem) {
                let value = try evaluate(index, arena: &arena)
                if !chosen, !value.isAbsent {
                    chosen = true
                    guard let range = arena.textForm(value) else {
                        throw RowProblem(
                            field: name, reason: .transformFailed,
                            message: "\(name) cannot be a multi-value list; remove the split transform")
                    }
                    text = range
                }
            } catch {
                problems.append(error)
                failed = true
            }
        }
        return failed ? nil : (text ?? 0..<0)
    }

    private func encode(
        _ values: [Value], primaryKey: String, line: Int, arena: inout RowArena, output: inout RawBuffer<UInt8>
    ) throws(RowProblem) -> EncodedRecord {
        let (identity, identityField) = try reservedText(identityFields, name: "identity", arena: &arena)
        try checkIdentity(arena[identity])

        if let primaryKeyColumn, primaryKey.isEmpty {
            throw RowProblem(
                field: primaryKeyColumn, reason: .primaryKeyMissing,
                message: "the primary key column \(primaryKeyColumn) is empty")
        }

        var eventName = 0..<0
        var eventNameField = -1
        if object == .events {
            (eventName, eventNameField) = try reservedText(eventNameFields, name: "evtName", arena: &arena)
            try EventRules.check(eventName: arena[eventName])
        }

        var timestamp: Int64?
        for index in timestampFields {
            let value = try evaluate(index, arena: &arena)
            if timestamp == nil, !value.isAbsent {
                timestamp = try Self.timestamp(value, arena)
            }
        }

        for index in propertyFields {
            let value = try evaluate(index, arena: &arena)
            slots[index] = value.isAbsent ? .null : try checkProperty(value, index, arena)
        }
        if countsCustomProperties {
            try checkCustomPropertyCount()
        }

        output.count = 0
        if object == .profiles {
            output.append("{\"type\":\"profile\",\"identity\":")
        } else {
            output.append("{\"type\":\"event\",\"identity\":")
        }
        RecordWriter.appendString(arena[identity], to: &output)
        if let timestamp {
            output.append(",\"ts\":")
            output.appendDecimal(timestamp)
        }
        if object == .profiles {
            output.append(",\"profileData\":{")
        } else {
            output.append(",\"evtName\":")
            RecordWriter.appendString(arena[eventName], to: &output)
            output.append(",\"evtData\":{")
        }
        var first = true
        var written = PropertyMask()
        let marksProperties = object == .events
        for (position, property) in properties.enumerated() {
            var present = slots[propertySources[property.fields.lowerBound]]
            if present.isAbsent {
                // Several mappings share this target: the first with a value is written.
                for source in property.fields.dropFirst() where !slots[propertySources[source]].isAbsent {
                    present = slots[propertySources[source]]
                    break
                }
                if present.isAbsent { continue }
            }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            if marksProperties { written.insert(position) }
            output.append(arena[property.keyPrefix])
            Self.write(present, arena: arena, to: &output)
        }
        output.append("}}")

        let json = output.array
        let hash = RecordHash(UnsafeRawBufferPointer(start: output.base, count: output.count))
        var record = EncodedRecord(
            json: json, primaryKey: primaryKey, identity: string(identity, of: identityField, values, arena),
            eventName: object == .events ? string(eventName, of: eventNameField, values, arena) : nil, hash: hash,
            line: line)
        record.properties = written
        return record
    }

    /// The text of a reserved field as a `String`: the source cell or the constant itself
    /// when no transform changed it (no copy, no UTF-8 validation), else decoded from the arena.
    private func string(_ range: Range<Int>, of fieldIndex: Int, _ values: [Value], _ arena: RowArena) -> String {
        if fieldIndex >= 0 {
            let field = fields[fieldIndex]
            if field.column >= 0 {
                switch inputs[field.column] {
                case .text(let loaded), .number(let loaded):
                    if loaded == range, field.column < values.count {
                        switch values[field.column] {
                        case .string(let text), .number(let text), .json(let text): return text
                        case .null, .bool: break
                        }
                    }
                default:
                    break
                }
            } else if case .text(let constant) = field.constant, constant == range,
                let text = constantTexts[fieldIndex]
            {
                return text
            }
        }
        return arena.string(range)
    }

    /// The field's value with its transforms applied.
    @inline(__always)
    private func evaluate(_ index: Int, arena: inout RowArena) throws(RowProblem) -> MappedValue {
        let field = fields[index]
        var value = field.column >= 0 ? inputs[field.column] : field.constant
        for transformIndex in field.transforms {
            let transform = transforms[transformIndex]
            do {
                value = try TransformApplier.apply(transform, to: value, in: &arena)
            } catch {
                let target = targets[index]
                throw RowProblem(
                    field: target, reason: error.reason,
                    message: "transform \(transform.kind) on \(target) failed: \(error.problem)")
            }
        }
        return value
    }

    /// The text of the first of `fields` with a value (all are evaluated) and that field's
    /// index; an empty range and -1 when none has one.
    private func reservedText(
        _ fields: UnsafeMutableBufferPointer<Int>, name: String, arena: inout RowArena
    ) throws(RowProblem) -> (Range<Int>, Int) {
        var text: Range<Int>?
        var source = -1
        for index in fields {
            let value = try evaluate(index, arena: &arena)
            if text == nil, !value.isAbsent {
                guard let range = arena.textForm(value) else {
                    throw RowProblem(
                        field: name, reason: .transformFailed,
                        message: "\(name) cannot be a multi-value list; remove the split transform")
                }
                text = range
                source = index
            }
        }
        return (text ?? 0..<0, source)
    }

    /// The text of a cell as the state and reports key the row by.
    private static func rawText(_ value: Value) -> String {
        switch value {
        case .null: ""
        case .string(let text), .number(let text), .json(let text): text
        case .bool(let flag): flag ? "true" : "false"
        }
    }

    // MARK: - Reserved fields

    private func checkIdentity(_ identity: UnsafeBufferPointer<UInt8>) throws(RowProblem) {
        guard !identity.isEmpty else {
            throw RowProblem(field: "identity", reason: .identityMissing, message: "identity is missing or empty")
        }
        guard identity.count <= Self.maxValueBytes else {
            throw RowProblem(
                field: "identity", reason: .valueTooLong,
                message: "identity is \(identity.count) bytes long; CleverTap allows at most \(Self.maxValueBytes)")
        }
        switch identityKind {
        case .custom:
            break
        case .email:
            guard ContactSyntax.isEmail(identity) else {
                throw RowProblem(
                    field: "identity", reason: .identityKindMismatch,
                    message: "identity is not a valid email address, but the job's identity_kind is email")
            }
        case .phone:
            guard ContactSyntax.isE164(identity) else {
                throw RowProblem(
                    field: "identity", reason: .identityKindMismatch,
                    message:
                        "identity is not an E.164 phone number (+ and 8 to 15 digits), but the job's identity_kind is phone"
                )
            }
        }
    }

    /// `ts` as epoch seconds: a positive integer (digits in text are accepted) no larger
    /// than the millisecond threshold.
    private static func timestamp(_ value: MappedValue, _ arena: RowArena) throws(RowProblem) -> Int64 {
        let seconds: Int64
        switch value {
        case .integer(let integer):
            seconds = integer
        case .text(let range), .number(let range):
            let bytes = MappingText.trimmedASCII(arena[range])
            guard let number = NumberLiteral(bytes), number.isIntegral else {
                throw RowProblem(
                    field: "ts", reason: .invalidTimestamp, message: "ts is not an integer number of epoch seconds")
            }
            guard let integer = number.exactInteger(bytes) else {
                throw RowProblem(
                    field: "ts", reason: number.negative ? .invalidTimestamp : .timestampInMilliseconds,
                    message: "ts is far outside the range of epoch seconds")
            }
            seconds = integer
        case .date:
            throw RowProblem(
                field: "ts", reason: .invalidTimestamp,
                message: "ts must be epoch seconds, not a $D_ date; use iso8601 or ms_to_s instead of date")
        case .bool, .list, .null:
            throw RowProblem(
                field: "ts", reason: .invalidTimestamp,
                message: "ts must be an integer number of epoch seconds, not \(value.kindDescription)")
        }
        guard seconds > 0 else {
            throw RowProblem(
                field: "ts", reason: .invalidTimestamp,
                message: "ts \(seconds) is not a positive number of epoch seconds")
        }
        guard seconds <= TransformApplier.millisecondThreshold else {
            throw RowProblem(
                field: "ts", reason: .timestampInMilliseconds,
                message: "ts \(seconds) looks like milliseconds; add the ms_to_s transform")
        }
        return seconds
    }

    // MARK: - Properties

    /// Checks a present property value and returns it as it will be written.
    private func checkProperty(_ value: MappedValue, _ index: Int, _ arena: RowArena) throws(RowProblem) -> MappedValue
    {
        let field = fields[index]
        if field.keyTooLong {
            let target = targets[index]
            throw RowProblem(
                field: target, reason: .keyTooLong,
                message:
                    "the property name is \(target.utf8.count) bytes long; CleverTap allows at most \(Self.maxKeyBytes)"
            )
        }
        guard let checked = ProfileFieldRules.check(value, rule: field.rule, in: arena) else {
            throw ProfileFieldRules.failure(field.rule, target: targets[index])
        }
        switch checked {
        case .text(let range):
            guard range.count <= Self.maxValueBytes else {
                let target = targets[index]
                throw RowProblem(
                    field: target, reason: .valueTooLong,
                    message: "\(target) is \(range.count) bytes long; CleverTap allows at most \(Self.maxValueBytes)")
            }
        case .number(let range):
            let bytes = arena[range]
            guard range.count <= Self.maxValueBytes, NumberLiteral(bytes)?.isFinite(bytes) == true else {
                let target = targets[index]
                throw RowProblem(
                    field: target, reason: .invalidNumber, message: "\(target) is not a finite JSON number")
            }
        case .list(let items):
            let target = targets[index]
            guard object == .profiles else {
                throw RowProblem(
                    field: target, reason: .transformFailed,
                    message: "\(target) is a multi-value list (from split), which only profile properties can hold")
            }
            guard items.count <= Self.maxMultiValueItems else {
                throw RowProblem(
                    field: target, reason: .tooManyValues,
                    message:
                        "\(target) has \(items.count) values; a multi-value property holds at most \(Self.maxMultiValueItems)"
                )
            }
            for item in items where arena.items[item].count > Self.maxValueBytes {
                throw RowProblem(
                    field: target, reason: .valueTooLong,
                    message:
                        "a value of \(target) is \(arena.items[item].count) bytes long; CleverTap allows at most \(Self.maxValueBytes)"
                )
            }
        case .null, .integer, .bool, .date:
            break
        }
        return checked
    }

    private func checkCustomPropertyCount() throws(RowProblem) {
        var count = 0
        for property in properties where property.isCustom {
            if property.fields.contains(where: { !slots[propertySources[$0]].isAbsent }) { count += 1 }
        }
        guard count <= Self.maxCustomProperties else {
            let what = object == .profiles ? "custom profile properties" : "event properties"
            throw RowProblem(
                field: nil, reason: .tooManyProperties,
                message: "the record has \(count) \(what); CleverTap keeps at most \(Self.maxCustomProperties)")
        }
    }

    private static func write(_ value: MappedValue, arena: RowArena, to output: inout RawBuffer<UInt8>) {
        switch value {
        case .text(let range):
            RecordWriter.appendString(arena[range], to: &output)
        case .number(let range):
            let bytes = arena[range]
            NumberLiteral(bytes)?.write(bytes, into: &output)
        case .integer(let integer):
            output.appendDecimal(integer)
        case .bool(let flag):
            output.append(flag ? "true" : "false")
        case .date(let seconds):
            RecordWriter.appendDate(seconds, to: &output)
        case .list(let items):
            output.append("{\"$add\":[")
            for item in items {
                if item > items.lowerBound { output.append(UInt8(ascii: ",")) }
                RecordWriter.appendString(arena[arena.items[item]], to: &output)
            }
            output.append("]}")
        case .null:
            output.append("null")
        }
    }
}
