extension SandboxConfiguration {
    /// Reads a configuration file:
    ///
    /// ```json
    /// {"accounts": ["123:secret:in1", {"id": "456", "passcode": "p", "region": "us1"}],
    ///  "host": "127.0.0.1", "port": 8080, "seed": 42, "persist": "store.json",
    ///  "tls_cert": "server.pem", "tls_key": "server.key",
    ///  "faults": {"latency_ms": 200, "fault_429": 0.1},
    ///  "limits": {"max_concurrent_requests": 15}}
    /// ```
    ///
    /// Every field is optional; unknown fields are an error. `tls_cert` and
    /// `tls_key` go together; the files are only read by ``validate()``.
    public init(jsonText: String) throws(SandboxConfigurationError) {
        let root: SandboxValue
        do {
            root = try JSONParser.parse(jsonText)
        } catch {
            throw .invalidJSON("not a JSON document (byte \(error.offset))")
        }
        guard case .object(let members) = root else { throw .invalidJSON("the configuration must be an object") }
        let known: Set<String> = [
            "accounts", "host", "port", "seed", "persist", "faults", "limits", "tls_cert", "tls_key",
        ]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidJSON("unknown configuration field \"\(unknown)\"")
        }

        self.init(accounts: [])
        for entry in members["accounts"]?.arrayValue ?? [] {
            accounts.append(try Self.account(from: entry))
        }
        if let host = members["host"] {
            guard let value = host.stringValue else { throw .invalidJSON("\"host\" must be a string") }
            self.host = value
        }
        if let port = members["port"] {
            guard let value = port.intValue, (0...65535).contains(value) else {
                throw .invalidJSON("\"port\" must be an integer from 0 to 65535")
            }
            self.port = value
        }
        if let seed = members["seed"] {
            guard let value = seed.intValue, value >= 0 else {
                throw .invalidJSON("\"seed\" must be a non-negative integer")
            }
            self.seed = UInt64(value)
        }
        if let persist = members["persist"] {
            guard let value = persist.stringValue else { throw .invalidJSON("\"persist\" must be a string") }
            persistPath = value
        }
        var tlsPaths: [String: String] = [:]
        for key in ["tls_cert", "tls_key"] {
            guard let value = members[key] else { continue }
            guard let path = value.stringValue, !path.isEmpty else {
                throw .invalidJSON("\"\(key)\" must be a non-empty string (a file path)")
            }
            tlsPaths[key] = path
        }
        tls = try SandboxTLSFiles(certificatePath: tlsPaths["tls_cert"], privateKeyPath: tlsPaths["tls_key"])
        if let faults = members["faults"] {
            guard let object = faults.objectValue else { throw .invalidJSON("\"faults\" must be an object") }
            let parsed = try FaultConfiguration.parse(object)
            self.faults = parsed.faults
            if let seed = parsed.seed { self.seed = seed }
        }
        if let limits = members["limits"] {
            guard let object = limits.objectValue else { throw .invalidJSON("\"limits\" must be an object") }
            self.limits = try Self.limits(from: object)
        }
    }

    private static func account(from entry: SandboxValue) throws(SandboxConfigurationError) -> SandboxAccount {
        switch entry {
        case .string(let spec):
            return try SandboxAccount(parsing: spec)
        case .object(let fields):
            guard let id = fields["id"]?.stringValue, let passcode = fields["passcode"]?.stringValue,
                let regionName = fields["region"]?.stringValue
            else { throw .invalidJSON("an account needs string fields id, passcode and region") }
            guard let region = SandboxRegion(rawValue: regionName) else { throw .unknownRegion(regionName) }
            return SandboxAccount(id: id, passcode: passcode, region: region)
        default:
            throw .invalidJSON("an account is \"ID:PASSCODE:REGION\" or an object")
        }
    }

    private static func limits(from object: [String: SandboxValue]) throws(SandboxConfigurationError)
        -> ValidationLimits
    {
        let fields: [String: WritableKeyPath<ValidationLimits, Int>] = [
            "max_records_per_request": \.maxRecordsPerRequest,
            "max_concurrent_requests": \.maxConcurrentRequests,
            "max_body_bytes": \.maxBodyBytes,
            "max_key_bytes": \.maxKeyBytes,
            "max_value_bytes": \.maxValueBytes,
            "max_custom_profile_properties": \.maxCustomProfileProperties,
            "max_event_properties": \.maxEventProperties,
            "max_event_names": \.maxEventNames,
            "max_multi_value_items": \.maxMultiValueItems,
            "max_charged_items": \.maxChargedItems,
        ]
        var limits = ValidationLimits()
        for key in object.keys.sorted() {
            guard let path = fields[key] else { throw .invalidJSON("unknown limit \"\(key)\"") }
            guard let value = object[key]?.intValue, value > 0 else {
                throw .invalidJSON("limit \"\(key)\" must be a positive integer")
            }
            limits[keyPath: path] = value
        }
        return limits
    }
}
