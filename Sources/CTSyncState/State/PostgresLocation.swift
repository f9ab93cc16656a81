import Foundation
import CTSyncPlan

/// A PostgreSQL state database, from `postgres://USER@HOST:PORT/DATABASE[?sslmode=…]`.
///
/// The password never comes from the URL (a URL with one is refused: it would end
/// up in job files, shell history and CI logs) but from `CTSYNC_STATE_PASSWORD`
/// or `PGPASSWORD`. `description` is the URL without the password, safe to print.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    /// A PEM file of the certificate authorities to trust (`sslrootcert`).
    public var sslRootCertificate: String?
    /// Not part of `description`, never printed.
    public var password: String?
    /// The environment variable the password came from (`CTSYNC_STATE_PASSWORD` or
    /// `PGPASSWORD`): withheld from source commands.
    public var passwordVariable: String?

    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        var text = "postgres://\(Self.escape(user))@\(host):\(port)/\(Self.escape(database))"
        if sslMode != .prefer { text += "?sslmode=\(sslMode.rawValue)" }
        return text
    }

    public var debugDescription: String { description }

    /// Reflection (`dump`, default descriptions of enclosing values) shows the URL, never the password.
    public var customMirror: Mirror { Mirror(self, children: ["url": description]) }

    /// Parses a `postgres://` or `postgresql://` URL. Like libpq: the user defaults to
    /// `PGUSER` or the login name, the port to 5432, the database to the user.
    public init(parsing text: String, environment: [String: String]) throws(StateError) {
        guard let scheme = ["postgres://", "postgresql://"].first(where: { text.hasPrefix($0) }) else {
            throw .unsupportedLocation(Self.redact(text))
        }
        var rest = Substring(text.dropFirst(scheme.count))
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        if let userInfo, let colon = userInfo.firstIndex(of: ":") {
            let user = userInfo[..<colon]
            let redacted = scheme + user + ":***@" + rest + (path.isEmpty ? "" : "/" + path)
            throw .passwordInURL(url: redacted)
        }
        var hostPart = rest
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw .invalidURL(url: Self.redact(text), reason: "unclosed [ in the host")
            }
            let after = hostPart[hostPart.index(after: close)...]
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw .invalidURL(url: Self.redact(text), reason: "unexpected text after the host")
            }
        } else if let colon = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else {
            throw .invalidURL(url: Self.redact(text), reason: "no host (unix sockets are not supported; use 127.0.0.1)")
        }
        host = String(hostPart)
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .invalidURL(url: Self.redact(text), reason: "port \"\(portText)\" is not a number from 1 to 65535")
            }
            port = value
        } else {
            port = 5432
        }
        let named = userInfo.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        guard let user = named ?? environment["PGUSER"] ?? Self.loginName() else {
            throw .invalidURL(url: Self.redact(text), reason: "no user (name one: postgres://USER@HOST/DATABASE)")
        }
        self.user = user
        let databaseName = path.removingPercentEncoding ?? path
        database = databaseName.isEmpty ? user : databaseName
        sslMode = .prefer
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            let value = parts.count > 1 ? parts[1] : ""
            switch parts[0] {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw .invalidURL(
                        url: Self.redact(text),
                        reason: "sslmode must be one of " + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                sslMode = mode
            case "sslrootcert":
                sslRootCertificate = value
            case "password":
                throw .passwordInURL(url: Self.redact(text))
            default:
                throw .invalidURL(
                    url: Self.redact(text), reason: "unknown parameter \"\(parts[0])\" (known: sslmode, sslrootcert)")
            }
        }
        passwordVariable = ["CTSYNC_STATE_PASSWORD", "PGPASSWORD"].first { environment[$0] != nil }
        password = passwordVariable.flatMap { environment[$0] }
    }

    /// What puts the state at risk with this URL, for the CLI to print as warnings: a
    /// server that is not on this machine reached without `sslmode=verify-full` (the
    /// password and the primary keys could be read, or the server impersonated, on the way).
    public var warnings: [String] {
        guard sslMode != .verifyFull, !Self.isLoopback(host) else { return [] }
        let risk: String
        switch sslMode {
        case .disable:
            risk = "sslmode=disable sends the state password and the primary keys (often emails or phone numbers) unencrypted over the network"
        case .prefer:
            risk = "sslmode=prefer (the default) falls back to an unencrypted connection and never checks the server's certificate, so anyone on the network path can read the traffic or pose as the server, and get the state password and the primary keys"
        case .require:
            risk = "sslmode=require encrypts but never checks the server's certificate, so anyone on the network path can pose as the server and get the state password and the primary keys"
        case .verifyCA:
            risk = "sslmode=verify-ca checks the certificate's authority but not that it was issued for \(host), so any server with a certificate from that authority can pose as it"
        case .verifyFull:
            return []
        }
        return ["state database \(description): \(risk); use sslmode=verify-full (with sslrootcert=FILE for a private certificate authority)"]
    }

    /// A host on this machine, where the connection never crosses a network.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host.hasSuffix(".localhost") { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The URL with any password replaced by `***`, for messages about a URL we refuse.
    static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let afterScheme = text[scheme.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
        var redacted = text
        if let at = afterScheme[..<authorityEnd].lastIndex(of: "@"),
            let colon = afterScheme[..<at].firstIndex(of: ":")
        {
            redacted.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        if let range = redacted.range(of: "password=") {
            let end = redacted[range.upperBound...].firstIndex(of: "&") ?? redacted.endIndex
            redacted.replaceSubrange(range.upperBound..<end, with: "***")
        }
        return redacted
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? text
    }

    private static func loginName() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
