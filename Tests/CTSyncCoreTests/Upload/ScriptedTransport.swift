import Foundation
import Synchronization

@testable import CTSyncPlan
@testable import CTSyncSupport
@testable import CTSyncUpload

/// A transport that answers from a script: a queue of canned answers, one an attempt,
/// then `otherwise` for every later request. Records every request it was given (with
/// the scripted clock's time), so tests see exactly what was sent, when.
final class ScriptedTransport: UploadTransport {
    enum Answer: Sendable {
        case reply(HTTPReply)
        case failure(TransportFailure)

        /// CleverTap's answer when it took every record.
        static let ok = Answer.reply(
            HTTPReply(status: 200, body: Array(#"{"status":"success","processed":1,"unprocessed":[]}"#.utf8)))

        /// An HTTP status with CleverTap's request-level body.
        static func status(_ code: Int, retryAfter: Double? = nil) -> Answer {
            .reply(
                HTTPReply(
                    status: code, body: Array(#"{"status":"fail","error":"scripted \#(code)","code":\#(code)}"#.utf8),
                    retryAfter: retryAfter))
        }

        /// HTTP 200 refusing records: (code, 1-based record number or nil, identity echoed or nil).
        static func partial(_ items: [(code: Int, number: Int?, identity: String?)]) -> Answer {
            let unprocessed = items.map { item in
                let suffix = item.number.map { "Skipped record number : \($0)" } ?? ""
                let echo = item.identity.map { #"{"identity":"\#($0)"}"# } ?? "{}"
                return
                    #"{"status":"fail","code":\#(item.code),"error":"Scripted refusal.\#(suffix)","record":\#(echo)}"#
            }
            return .reply(
                HTTPReply(
                    status: 200,
                    body: Array(
                        #"{"status":"partial","processed":0,"unprocessed":[\#(unprocessed.joined(separator: ","))]}"#
                            .utf8)))
        }

        static func unreachable(_ kind: ConnectFailure.Kind, host: String = "api.example.test") -> Answer {
            .failure(.unreachable(ConnectFailure(kind: kind, host: host, detail: "scripted")))
        }
    }

    /// One request as the transport received it.
    struct Request: Sendable {
        var url: String
        var headers: [String: String]
        /// The identities of the records in the body, in order.
        var identities: [String]
        var timeout: Double
        /// The scripted clock's time when it was sent.
        var at: Double
    }

    private struct State {
        var script: [Answer]
        var requests: [Request] = []
    }

    private let state: Mutex<State>
    private let otherwise: @Sendable (Request) -> Answer
    private let clock: ManualClock?

    /// Answers `script` in order, then `otherwise(request)`.
    init(
        _ script: [Answer] = [], clock: ManualClock? = nil,
        otherwise: @escaping @Sendable (Request) -> Answer = { _ in .ok }
    ) {
        state = Mutex(State(script: script))
        self.otherwise = otherwise
        self.clock = clock
    }

    var requests: [Request] { state.withLock { $0.requests } }

    func send(_ request: UploadRequest) async -> Result<HTTPReply, TransportFailure> {
        let sent = Request(
            url: request.url, headers: Dictionary(request.headers.map { ($0.name, $0.value) }) { a, _ in a },
            identities: Self.identities(in: request.body), timeout: request.timeout, at: clock?.now ?? 0)
        let answer = state.withLock { state -> Answer? in
            state.requests.append(sent)
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        switch answer ?? otherwise(sent) {
        case .reply(let reply): return .success(reply)
        case .failure(let failure): return .failure(failure)
        }
    }

    static func identities(in body: [UInt8]) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let records = object["d"] as? [[String: Any]]
        else { return [] }
        return records.map { ($0["identity"] as? String) ?? "?" }
    }
}

/// A clock that only moves when the code under test sleeps: waits return at once, and
/// the time they would have taken is added up.
final class ManualClock: Sendable {
    private let time = Mutex<Double>(0)

    var now: Double { time.withLock { $0 } }

    func advance(_ seconds: Double) {
        time.withLock { $0 += max(0, seconds) }
    }

    /// Pacing on this clock; `jitter` replaces the random draw (default: the full ceiling, so delays are exact).
    func pacing(jitter: @escaping @Sendable (Double) -> Double = { $0 }) -> UploadPacing {
        UploadPacing(
            now: { [self] in now },
            sleep: { [self] seconds in
                advance(seconds)
                await Task.yield()
            },
            jitter: jitter)
    }
}

/// Planned records for scripted sends: identity `"<prefix><n>"`, a JSON body with it.
func plannedRecords(_ count: Int, prefix: String = "user") -> [PlannedRecord] {
    (0..<count).map { index in
        let identity = "\(prefix)\(index)"
        return PlannedRecord(
            json: Array(#"{"type":"profile","identity":"\#(identity)","profileData":{"Name":"N"}}"#.utf8),
            key: identity, hash: RecordHash(bytes: Array(identity.utf8)), identity: identity, line: index + 2,
            change: .added)
    }
}
