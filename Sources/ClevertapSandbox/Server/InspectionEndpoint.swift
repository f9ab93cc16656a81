import Hummingbird

/// The `/sandbox/...` endpoints that let a demo or a test look inside:
///
/// - `GET /sandbox/stats`
/// - `GET /sandbox/profiles[?account=&limit=]` (identities)
/// - `GET /sandbox/profiles/{identity}[?account=]`
/// - `GET /sandbox/events[?identity=&name=&account=&limit=]`
/// - `GET /sandbox/requests[?account=&limit=]` (the upload log, newest `limit`)
/// - `POST /sandbox/reset`
/// - `GET|POST /sandbox/faults`
///
/// They need no credentials: the sandbox only ever listens on a trusted host.
struct InspectionEndpoint: Sendable {
    let state: SandboxState

    /// The largest answer body a fault update may have.
    static let maxFaultBodyBytes = 64 << 10

    /// `subpath` is what follows `/sandbox/`.
    func respond(to request: Request, subpath: Substring) async -> Response {
        let parts = subpath.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let resource = parts.first ?? ""
        let argument = parts.count > 1 ? parts[1] : nil
        let query = request.uri.queryParameters
        let account = query["account"].map(String.init)
        if let account, state.account(id: account) == nil {
            return SandboxResponses.notFound("Unknown account")
        }

        switch (resource, argument) {
        case ("stats", nil):
            guard request.method == .get else { return SandboxResponses.methodNotAllowed(allowed: "GET") }
            return json(state.stats().jsonValue)
        case ("profiles", nil):
            guard request.method == .get else { return SandboxResponses.methodNotAllowed(allowed: "GET") }
            let identities = state.identities(account: account)
            let limit = query["limit"].flatMap { Int($0) } ?? 1000
            return json([
                "count": .int(identities.count),
                "identities": .array(identities.prefix(limit).map(SandboxValue.string)),
            ])
        case ("profiles", let identity?) where !identity.isEmpty:
            guard request.method == .get else { return SandboxResponses.methodNotAllowed(allowed: "GET") }
            guard let profile = state.profile(identity: PercentDecoding.decode(identity), account: account) else {
                return SandboxResponses.notFound("Profile not found")
            }
            var writer = JSONWriter()
            StoreJSON.write(profile, into: &writer)
            return SandboxResponses.json(writer.bytes)
        case ("events", nil):
            guard request.method == .get else { return SandboxResponses.methodNotAllowed(allowed: "GET") }
            let events = state.events(
                identity: query["identity"].map(String.init),
                name: query["name"].map(String.init),
                account: account
            )
            let limit = query["limit"].flatMap { Int($0) } ?? 10_000
            var writer = JSONWriter(reservingCapacity: 1024)
            writer.raw("{")
            writer.key("count")
            writer.write(events.count)
            writer.raw(",")
            writer.key("events")
            StoreJSON.write(Array(events.prefix(limit)), into: &writer)
            writer.raw("}")
            return SandboxResponses.json(writer.bytes)
        case ("requests", nil):
            guard request.method == .get else { return SandboxResponses.methodNotAllowed(allowed: "GET") }
            var uploads = state.uploads()
            if let account { uploads = uploads.filter { $0.account == account } }
            let limit = query["limit"].flatMap { Int($0) } ?? UploadLog.capacity
            return json([
                "count": .int(uploads.count),
                "requests": .array(uploads.suffix(max(0, limit)).map(\.jsonValue)),
            ])
        case ("reset", nil):
            guard request.method == .post else { return SandboxResponses.methodNotAllowed(allowed: "POST") }
            state.reset()
            return json(["status": "success"])
        case ("faults", nil):
            switch request.method {
            case .get: return json(state.faultConfiguration.jsonValue(seed: state.faultSeed))
            case .post: return await updateFaults(request)
            default: return SandboxResponses.methodNotAllowed(allowed: "GET, POST")
            }
        default:
            return SandboxResponses.notFound()
        }
    }

    /// Replaces the fault configuration; absent fields mean "off", `seed` restarts the sequence.
    private func updateFaults(_ request: Request) async -> Response {
        do {
            let body = try await request.body.collect(upTo: Self.maxFaultBodyBytes)
            let parsed = try body.withUnsafeReadableBytes { bytes in try JSONParser.parse(bytes) }
            guard case .object(let members) = parsed else {
                return SandboxResponses.failure(.badRequest, "The fault configuration must be a JSON object")
            }
            let (faults, seed) = try FaultConfiguration.parse(members)
            try state.setFaults(faults, seed: seed)
            return json(state.faultConfiguration.jsonValue(seed: state.faultSeed))
        } catch let error as SandboxConfigurationError {
            return SandboxResponses.failure(.badRequest, error.description)
        } catch {
            return SandboxResponses.failure(.badRequest, "Malformed request")
        }
    }

    private func json(_ value: SandboxValue) -> Response {
        var writer = JSONWriter()
        writer.write(value)
        return SandboxResponses.json(writer.bytes)
    }
}
