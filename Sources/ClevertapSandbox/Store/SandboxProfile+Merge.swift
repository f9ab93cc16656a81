extension SandboxProfile {
    /// The number of custom properties the profile would hold after merging `update`.
    func customPropertyCount(merging update: [String: SandboxValue]) -> Int {
        var count = 0
        for key in properties.keys where StandardProfileFields.isCustom(key) { count += 1 }
        for (key, value) in update where properties[key] == nil && StandardProfileFields.isCustom(key) {
            switch value {
            case .null: continue
            case .object(let operation) where operation["$remove"] != nil: continue
            default: count += 1
            }
        }
        return count
    }

    /// Merges one accepted record's `profileData`.
    ///
    /// Plain values replace (an array replaces a multi-value property, `null`
    /// deletes the property). `$add` appends the values not yet present, dropping
    /// the oldest beyond `maxMultiValueItems`; `$remove` deletes values and the
    /// property once empty; `$incr`/`$decr` add to the current number, starting
    /// from 0.
    mutating func merge(_ update: [String: SandboxValue], timestamp: Int, maxMultiValueItems: Int) {
        for (key, value) in update {
            switch value {
            case .null:
                properties[key] = nil
            case .object(let operation):
                if let (name, operand) = operation.first {
                    apply(name, operand, to: key, maxMultiValueItems: maxMultiValueItems)
                }
            default:
                properties[key] = value
            }
        }
        lastUpdated = timestamp
        updateCount += 1
    }

    private mutating func apply(_ name: String, _ operand: SandboxValue, to key: String, maxMultiValueItems: Int) {
        switch name {
        case "$add":
            var values = multiValue(of: properties[key])
            for item in strings(in: operand) where !values.contains(item) { values.append(item) }
            if values.count > maxMultiValueItems { values.removeFirst(values.count - maxMultiValueItems) }
            properties[key] = .array(values.map(SandboxValue.string))
        case "$remove":
            let removed = Set(strings(in: operand))
            let values = multiValue(of: properties[key]).filter { !removed.contains($0) }
            properties[key] = values.isEmpty ? nil : .array(values.map(SandboxValue.string))
        case "$incr":
            properties[key] = Self.add(properties[key], operand, negate: false)
        case "$decr":
            properties[key] = Self.add(properties[key], operand, negate: true)
        default:
            break
        }
    }

    private func multiValue(of value: SandboxValue?) -> [String] {
        switch value {
        case .array(let items): items.compactMap(\.stringValue)
        case .string(let string): [string]
        default: []
        }
    }

    private func strings(in operand: SandboxValue) -> [String] {
        switch operand {
        case .string(let string): [string]
        case .array(let items): items.compactMap(\.stringValue)
        default: []
        }
    }

    private static func add(_ current: SandboxValue?, _ operand: SandboxValue, negate: Bool) -> SandboxValue {
        switch (current, operand) {
        case (.int(let base), .int(let delta)):
            let (sum, overflow) =
                negate ? base.subtractingReportingOverflow(delta) : base.addingReportingOverflow(delta)
            if !overflow { return .int(sum) }
            return .double(Double(base) + (negate ? -Double(delta) : Double(delta)))
        case (.int(let base), .double(let delta)):
            return .double(Double(base) + (negate ? -delta : delta))
        case (.double(let base), _):
            let delta = operand.doubleValue ?? 0
            return .double(base + (negate ? -delta : delta))
        default:
            // Nothing numeric yet: start from zero.
            guard operand.isNumber else { return current ?? .int(0) }
            return add(.int(0), operand, negate: negate)
        }
    }
}
