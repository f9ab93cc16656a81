import Hummingbird

/// `GET /1/profile.json` and `GET /{region}/1/profile.json`: CleverTap's Get User
/// Profile API (a lookup by ID), read-only.
///
/// What CleverTap documents, followed here (developer.clevertap.com, "Get User
/// Profiles": "Download user profiles by ID", and the API quick-start guide):
/// a `GET` with the same `X-CleverTap-Account-Id` / `X-CleverTap-Passcode`
/// headers as the Upload API, on the account's regional host, naming the user by
/// one query parameter (`identity`, `email` or `objectId`, as CleverTap's
/// Node.js library also documents). A found profile is
/// `{"status":"success","record":{...}}`, the record carrying `email` and
/// `profileData` (the shape of the example response in CleverTap's docs as
/// public clients quote it; the real record adds `events` and `platformInfo`,
/// which the sandbox does not keep), plus the `identity` it was stored under.
///
/// Choices where the docs are silent or ambiguous:
/// - An unknown user: no not-found answer was found in the docs, and public
///   clients handle both a `fail` status and `"record": null`. The sandbox
///   answers HTTP 200 `{"status":"fail","error":"Profile not found","code":404}`:
///   the outcome in the body, as the Upload API does; the 404 is our choice.
/// - `objectId` (CleverTap's own ID) has no sandbox equivalent and gets the 400
///   below.
/// - Credentials and region are checked exactly as for upload (HTTP 401 with the
///   same bodies). Reads are not counted in the upload counters (`requests`,
///   `unauthorized`...) but in `profile_reads`.
/// - No concurrency slot: the 15-request limit is documented for uploads only.
///   No injected faults either, so a read never shifts the upload fault sequence.
/// - Missing, repeated or unknown lookup parameters: HTTP 400 `Malformed request`.
/// - `email=` matches the stored `Email` exactly; when several profiles of the
///   account share it, the one with the smallest identity answers.
struct ProfileEndpoint: Sendable {
    let state: SandboxState

    /// `region` is the path prefix, `nil` for the bare `/1/profile.json`.
    func respond(to request: Request, region: SandboxRegion?) -> Response {
        state.count { $0.profileReads += 1 }
        let account: SandboxAccount
        switch AccountAuthentication.authenticate(request, region: region, in: state) {
        case .success(let authenticated): account = authenticated
        case .failure(let failure): return failure.response
        }
        guard let lookup = ProfileLookup(request) else {
            return SandboxResponses.failure(
                .badRequest,
                "Malformed request. Pass exactly one of identity or email"
            )
        }
        guard let profile = state.profile(lookup, account: account.id) else {
            return SandboxResponses.json(Self.notFound)
        }
        return SandboxResponses.json(Self.found(profile))
    }

    /// `{"status":"fail","error":"Profile not found","code":404}`, with HTTP 200.
    static let notFound: [UInt8] = {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("status")
        writer.write("fail")
        writer.raw(",")
        writer.key("error")
        writer.write("Profile not found")
        writer.raw(",")
        writer.key("code")
        writer.write(404)
        writer.raw("}")
        return writer.bytes
    }()

    /// `{"status":"success","record":{"email":...,"identity":...,"profileData":{...}}}`;
    /// `email` only when the profile has a string `Email`.
    static func found(_ profile: SandboxProfile) -> [UInt8] {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("status")
        writer.write("success")
        writer.raw(",")
        writer.key("record")
        writer.raw("{")
        if case .string(let email) = profile.properties["Email"] {
            writer.key("email")
            writer.write(email)
            writer.raw(",")
        }
        writer.key("identity")
        writer.write(profile.identity)
        writer.raw(",")
        writer.key("profileData")
        writer.write(profile.properties)
        writer.raw("}")
        writer.raw("}")
        return writer.bytes
    }
}
