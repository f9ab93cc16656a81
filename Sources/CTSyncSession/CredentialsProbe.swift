import CTSyncReport
import CTSyncSupport
import CTSyncUpload
import CleverTapContract
import Foundation

/// `ctsync check`'s credentials check: one read-only request to CleverTap's Get User
/// Profile API (`GET <endpoint>/1/profile.json?identity=…`) with the account's headers,
/// for an identity no one has. CleverTap answers 401 for wrong credentials and for a
/// host of another region alike; any normal answer (found or not found) means the
/// host accepted them. Nothing is stored.
struct CredentialsProbe {
    let client: UploadHTTPClient

    /// An identity no real profile has: the probe must not read anyone's data.
    static func unusedIdentity() -> String {
        "ctsync-check-" + UUID().uuidString.lowercased()
    }

    func check(endpoint: Endpoint, region: Region, account: String, passcode: String, timeout: Double) async
        -> CheckResult
    {
        let url = endpoint.base + "/1/profile.json?identity=" + Self.unusedIdentity()
        let host = Self.host(of: endpoint.base)
        let headers = [("X-CleverTap-Account-Id", account), ("X-CleverTap-Passcode", passcode)]
        switch await client.get(url: url, headers: headers, timeout: timeout) {
        case .failure(let failure):
            return CheckResult(
                .credentials, .failed, target: host, "cannot reach \(host): \(failure.message)",
                fix: "check the network and any proxy; the host comes from destination.region, or from --endpoint, CTSYNC_ENDPOINT or destination.endpoint when set")
        case .success(let reply):
            let said = Self.serverError(reply.body)
            let quoted = said.map { " (\"\($0)\")" } ?? ""
            switch reply.status {
            // A not-found answer in HTTP 404 with CleverTap's JSON failure body is accepted
            // too: CleverTap does not document its not-found status, only 401's meaning.
            case 200, 404 where Self.isCleverTapFailure(reply.body):
                return CheckResult(
                    .credentials, .ok, target: host,
                    "\(host) accepted the account ID and passcode (Get User Profile answered \(reply.status); nothing was stored)")
            case 401:
                let lowered = said?.lowercased() ?? ""
                let cause: String
                if lowered.contains("passcode") {
                    cause = "the passcode is wrong"
                } else if lowered.contains("account") {
                    cause = "the account ID is unknown here: wrong, or an account of another region than \(region.rawValue)"
                } else {
                    cause = "the account ID or passcode is wrong, or the account is not in region \(region.rawValue)"
                }
                return CheckResult(
                    .credentials, .failed, target: host,
                    "\(host) refused the credentials with 401\(quoted): \(cause) (CleverTap answers 401 for wrong credentials and for the wrong region alike)",
                    fix: "check destination.account_id and destination.passcode (the account's passcode, not an SDK token) and destination.region: the dashboard URL names it (us1.dashboard.clevertap.com is us1)"
                )
            case 429:
                return CheckResult(
                    .credentials, .failed, target: host, "\(host) is throttling this account (429)\(quoted)",
                    fix: "try again in a minute; another process may be uploading to the account")
            case 500...599:
                return CheckResult(
                    .credentials, .failed, target: host, "\(host) answered \(reply.status)\(quoted)",
                    fix: "a server error at CleverTap: try again later")
            default:
                return CheckResult(
                    .credentials, .failed, target: host, "\(host) answered \(reply.status)\(quoted) to Get User Profile",
                    fix: "check --endpoint, CTSYNC_ENDPOINT or destination.endpoint: it should be the API host (https://<region>.api.clevertap.com)")
            }
        }
    }

    /// Whether a body is CleverTap's `{"status":"fail",…}`, not some other server's page.
    static func isCleverTapFailure(_ body: [UInt8]) -> Bool {
        guard body.count < 64 << 10,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        else { return false }
        return object["status"] as? String == "fail"
    }

    /// `host[:port]` of a base URL, what the check names.
    static func host(of base: String) -> String {
        guard let components = URLComponents(string: base), let host = components.host else { return base }
        let shown = host.contains(":") ? "[\(host)]" : host
        return components.port.map { "\(shown):\($0)" } ?? shown
    }

    /// The `error` text of a CleverTap failure body, printable and short; nil if none.
    static func serverError(_ body: [UInt8]) -> String? {
        guard body.count < 64 << 10,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let text = object["error"] as? String
        else { return nil }
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        return printable.count > 200 ? String(printable.prefix(200)) + "…" : printable
    }
}
