import CTSyncMapping
import CTSyncSpec
import CTSyncYAML
import CleverTapContract

/// Tries `ctsync init`'s guesses on the sampled rows with the real mapper, so that a
/// guess most values would fail (a "Phone" column of free text) is replaced by a plainer
/// one before it is written, and the finished job is known to decode, lint clean and map.
struct ScaffoldVerifier {
    let object: ObjectType
    let rows: [[String: Value]]

    /// How the sampled values of one mapping fare: rejected among present.
    struct Tally {
        var present = 0
        var rejected = 0
        /// Whether the mapping is acceptable: at most half of the values it reads are refused.
        var isAcceptable: Bool { rejected * 2 <= present }
    }

    /// One mapping alone, in a job that needs nothing else from the row: every value of
    /// its column goes through its transforms and its target's rules.
    func tally(_ guess: MappingGuess, identityKind: IdentityKind?) -> Tally {
        guard let column = guess.column else { return Tally() }
        var text = """
            version: 1
            name: init-probe
            destination: { region: in1, account_id: "0", passcode: "${P}" }
            source: { file: probe.csv }
            object: \(object.rawValue)
            mappings:

            """
        if guess.target != "identity" { text += "  - { value: probe, to: identity }\n" }
        if object == .events && guess.target != "evtName" { text += "  - { value: Probe, to: evtName }\n" }
        text += "  " + ScaffoldWriter.mappingLine(guess) + "\n"
        if guess.target == "identity", let identityKind { text += "identity_kind: \(identityKind.rawValue)\n" }
        var tally = Tally()
        let values = rows.map { $0[column] ?? .null }
        tally.present = values.count { !Self.isEmpty($0) }
        guard let spec = Self.decode(text, environment: ["P": "x"]),
            !Linter.rules(for: spec).contains(where: { $0.severity == .error })
        else {
            tally.rejected = tally.present
            return tally
        }
        let mapper = RecordMapper(spec: spec)
        for (index, value) in values.enumerated() where !Self.isEmpty(value) {
            if case .rejected = mapper.map([value], line: index + 2) { tally.rejected += 1 }
        }
        return tally
    }

    /// The sampled rows the whole job maps, and those it rejects by field and reason.
    func rejections(of spec: JobSpec) -> (mapped: Int, rejected: [String: Int]) {
        let mapper = RecordMapper(spec: spec)
        var mapped = 0
        var rejected: [String: Int] = [:]
        for (index, row) in rows.enumerated() {
            switch mapper.map(mapper.columns.map { row[$0] ?? .null }, line: index + 2) {
            case .record: mapped += 1
            case .rejected(let rejection):
                rejected["\(rejection.field ?? "row"): \(rejection.reason.rawValue)", default: 0] += 1
            }
        }
        return (mapped, rejected)
    }

    static func decode(_ text: String, path: String = "init-probe.yaml", environment: [String: String]) -> JobSpec? {
        let source = SourceText(path: path, bytes: Array(text.utf8))
        guard let root = try? YAMLLoader.load(source) else { return nil }
        let decoded = SpecDecoder(environment: environment, unsetVariableSeverity: .warning).decode(root, source: source)
        guard !decoded.diagnostics.contains(where: { $0.severity == .error }) else { return nil }
        return decoded.spec
    }

    static func isEmpty(_ value: Value) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        default: false
        }
    }
}
