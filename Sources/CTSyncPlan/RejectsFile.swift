import CTSyncSupport
import CleverTapContract
import Foundation
import Synchronization

/// `--rejects PATH`: one JSON line for every row that did not get in, streamed to a
/// private (0600) file as the rows are refused, so memory stays flat however many there
/// are. Every job of one invocation writes to the same file; `job` tells their lines
/// apart. The schema is `schemas/rejects.schema.json` (`ctsync schema rejects`).
///
/// A line: `{"field", "job", "key", "message", "outcome", "reason", "record", "row"}`.
/// `outcome` is `invalid` (the planner refused the row), `rejected` (CleverTap refused
/// the record) or `failed` (it could not be delivered); `record` is the record as it
/// was or would have been sent, null when the row could not be mapped into one. Keys
/// and the record's values are redacted unless `revealPII` (`--report-pii`).
///
/// Thread-safe: lines of jobs running at once never interleave.
public final class RejectsFile: Sendable {
    /// Why a row is in the file.
    public enum Outcome: String, Sendable, CaseIterable, Codable {
        /// Refused by the planner (the source, the mapping's checks, duplicates, limits); not sent.
        case invalid
        /// Sent and refused by CleverTap, record by record.
        case rejected
        /// Sent and not delivered: retries exhausted, or a permanent HTTP error.
        case failed
    }

    public let path: String
    public let revealPII: Bool
    private let state: Mutex<State>

    private struct State {
        var writer: LineWriter?
        var lines = 0
        var error: OutputError?
    }

    /// Creates (or truncates) the file, 0600, and its missing folders 0700.
    public init(path: String, revealPII: Bool) throws(OutputError) {
        self.path = path
        self.revealPII = revealPII
        try PrivateFile.makeDirectory(Paths.directory(of: path))
        state = Mutex(State(writer: try LineWriter(path: path)))
    }

    /// Lines written so far.
    public var lines: Int { state.withLock { $0.lines } }

    /// The first write error, after which nothing more is written.
    public var error: OutputError? { state.withLock { $0.error } }

    /// Writes one line; false when the file cannot be written (see `error`).
    @discardableResult
    public func write(job: String, outcome: Outcome, rejection: PlanRejection, record: [UInt8]?) -> Bool {
        let line = Self.line(job: job, outcome: outcome, rejection: rejection, record: record, revealPII: revealPII)
        return state.withLock { state in
            guard state.error == nil, let writer = state.writer else { return false }
            do throws(OutputError) {
                try writer.writeLine(line)
                state.lines += 1
                return true
            } catch {
                state.error = error
                return false
            }
        }
    }

    /// Flushes and closes the file; the first write error, if any.
    public func close() throws(OutputError) {
        let failure: OutputError? = state.withLock { state in
            defer { state.writer = nil }
            if let error = state.error { return error }
            do throws(OutputError) {
                try state.writer?.close()
            } catch {
                state.error = error
                return error
            }
            return nil
        }
        if let failure { throw failure }
    }

    // MARK: - Lines

    /// One line's bytes, keys sorted, without the newline.
    static func line(job: String, outcome: Outcome, rejection: PlanRejection, record: [UInt8]?, revealPII: Bool) -> [UInt8] {
        var text = "{\"field\":"
        if let field = rejection.field { JSONValue.writeString(field, to: &text) } else { text += "null" }
        text += ",\"job\":"
        JSONValue.writeString(job, to: &text)
        text += ",\"key\":"
        if let key = Redaction.apply(rejection.primaryKey, reveal: revealPII) {
            JSONValue.writeString(key, to: &text)
        } else {
            text += "null"
        }
        text += ",\"message\":"
        JSONValue.writeString(rejection.message, to: &text)
        text += ",\"outcome\":\"\(outcome.rawValue)\",\"reason\":"
        JSONValue.writeString(rejection.reason.rawValue, to: &text)
        text += ",\"record\":"
        var bytes = Array(text.utf8)
        if let record, !record.isEmpty {
            if revealPII {
                bytes += record
            } else {
                bytes += Array(redacted(record).serialized(pretty: false).utf8)
            }
        } else {
            bytes += Array("null".utf8)
        }
        bytes += Array(",\"row\":\(rejection.line)}".utf8)
        return bytes
    }

    /// Fields of a record that carry no personal data: what it is, the event's name and time.
    static let plainFields: Set<String> = ["type", "evtName", "ts"]

    /// `record` with every value that may be personal replaced as reports redact keys
    /// (`ja***`): the identity and each property's value (numbers as their digits);
    /// property names, `type`, `evtName`, `ts`, booleans and null are kept, so the
    /// record still shows which fields it had and of what kind.
    static func redacted(_ record: [UInt8]) -> JSONValue {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(record)),
            case .object(let members) = value
        else {
            // Not a JSON object (never written by ctsync): nothing of it is shown.
            return .string(Redaction.redact(String(decoding: record, as: UTF8.self)))
        }
        var out: [String: JSONValue] = [:]
        for (name, member) in members {
            out[name] = plainFields.contains(name) ? member : redact(member)
        }
        return .object(out)
    }

    static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null, .bool: value
        case .string(let text): .string(Redaction.redact(text))
        case .int(let number): .string(Redaction.redact(String(number)))
        case .double(let number): .string(Redaction.redact(String(number)))
        case .array(let items): .array(items.map(redact))
        case .object(let members): .object(members.mapValues(redact))
        }
    }
}

/// The rejects file a job wrote to, as its report and plan name it.
public struct RejectsFileSummary: Sendable, Equatable, Codable {
    /// The path as given to `--rejects`.
    public var file: String
    /// Lines this job wrote (other jobs of the invocation may have written more).
    public var lines: Int

    public init(file: String, lines: Int) {
        self.file = file
        self.lines = lines
    }
}
