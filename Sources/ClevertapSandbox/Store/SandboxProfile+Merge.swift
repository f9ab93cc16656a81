extension SandboxProfile {
    /// Merges one accepted record, or refuses it when the profile would end up
    /// with more custom properties than `limits` allow.
    ///
    /// Plain values replace (an array replaces a multi-value property, `null`
    /// deletes the property). `$add` appends the values not yet present, dropping
    /// the oldest beyond the multi-value limit; `$remove` deletes values and the
    /// property once empty; `$incr`/`$decr` add to the current number, starting
    /// from 0.
    mutating func merge(_ upsert: ProfileUpsert, timestamp: Int, limits: ValidationLimits) -> RecordRejection? {
        let limit = limits.maxCustomProfileProperties
        // The cheap bound first: only a profile near the limit needs the exact count.
        if customPropertyCount + upsert.customKeyCount > limit,
            customPropertyCount(merging: upsert.properties) > limit
        {
            return .profilePropertiesLimit(limit)
        }
        for (key, value) in upsert.properties {
            let wasPresent: Bool
            let isPresent: Bool
            switch value {
            case .null:
                wasPresent = properties.removeValue(forKey: key) != nil
                isPresent = false
            case .object(let operation):
                wasPresent = properties[key] != nil
                if let (name, operand) = operation.first {
                    apply(name, operand, to: key, maxMultiValueItems: limits.maxMultiValueItems)
                }
                isPresent = properties[key] != nil
            default:
                wasPresent = properties.updateValue(value, forKey: key) != nil
                isPresent = true
            }
            if wasPresent != isPresent, StandardProfileFields.isCustom(key) {
                customPropertyCount += isPresent ? 1 : -1
            }
        }
        lastUpdated = timestamp
        updateCount += 1
        return nil
    }

    /// The exact number of custom properties after merging `update`.
    private func customPropertyCount(merging update: [String: SandboxValue]) -> Int {
        var count = customPropertyCount
        for (key, value) in update where StandardProfileFields.isCustom(key) {
            let isPresent = properties[key] != nil
            switch value {
            case .null:
                if isPresent { count -= 1 }
            case .object(let operation) where operation["$remove"] != nil:
                continue
            default:
                if !isPresent { count += 1 }
            }
        }
        return count
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
