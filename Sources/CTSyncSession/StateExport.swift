import CTSyncPlan
import CTSyncState
import CTSyncSupport
import CleverTapContract
import Foundation

/// The JSON-lines format of `ctsync state export` and `import`, one object a line:
///
/// - `{"type":"job","format":"ctsync-state-export","format_version":1,"job":…,"destination":{…}|null,
///   "spec_fingerprint":"16 hex"|null,"spec":"canonical spec JSON"|null,"source":…|null}` starts a job's
///   state at one destination; the lines after it belong to it:
/// - `{"type":"run","run_id":…,"started_at":ms,"finished_at":ms|null,"status":…,"exit_status":…,
///   "full_sync":…,"abort_reason":…,"counts":{…}|null,"report":…,"ctsync_version":…,"host":…,"pid":…}`
/// - `{"type":"ack","key":…,"hash":"32 hex","spec":"16 hex","acked_at":seconds}`
///
/// Sorted keys; times as integers (milliseconds for runs, seconds for keys, as state keeps them).
enum StateExport {
    static let format = "ctsync-state-export"
    static let formatVersion = 1
    /// Keys a page when exporting, and a transaction when importing.
    static let pageSize = 5000

    static func line(_ job: StoredJob) -> String {
        let document: JSONValue = [
            "type": "job", "format": .string(format), "format_version": .int(formatVersion),
            "job": .string(job.key.name),
            "destination": job.key.destination.map { d in
                ["account": .string(d.account), "region": .string(d.region), "endpoint": .string(d.endpoint)]
            } ?? .null,
            "spec_fingerprint": job.fingerprint.map { .string(hex($0)) } ?? .null,
            "spec": job.spec.map(JSONValue.string) ?? .null,
            "source": job.source.map(JSONValue.string) ?? .null,
        ]
        return document.serialized(pretty: false)
    }

    static func line(_ run: RunRecord) -> String {
        var counts: JSONValue = .null
        if let c = run.counts {
            counts = [
                "source_rows": .int(c.sourceRows), "invalid": .int(c.invalid), "unchanged": .int(c.unchanged),
                "added": .int(c.added), "changed": .int(c.changed), "sent": .int(c.sent), "succeeded": .int(c.succeeded),
                "rejected": .int(c.rejected), "failed": .int(c.failed), "possibly_duplicated": .int(c.possiblyDuplicated),
            ]
        }
        let document: JSONValue = [
            "type": "run", "run_id": .string(run.id), "started_at": .int(milliseconds(run.startedAt)),
            "finished_at": run.finishedAt.map { .int(milliseconds($0)) } ?? .null,
            "status": run.outcome.map { .string($0.rawValue) } ?? .null,
            "exit_status": run.exitStatus.map(JSONValue.int) ?? .null,
            "full_sync": run.fullSync.map(JSONValue.string) ?? .null,
            "abort_reason": run.abortReason.map(JSONValue.string) ?? .null, "counts": counts,
            "report": run.reportPath.map(JSONValue.string) ?? .null, "ctsync_version": .string(run.ctsyncVersion),
            "host": .string(run.host), "pid": .int(Int(run.pid)),
        ]
        return document.serialized(pretty: false)
    }

    static func line(_ ack: StoredAcknowledgement) -> String {
        let document: JSONValue = [
            "type": "ack", "key": .string(ack.key), "hash": .string(ack.hash.hex), "spec": .string(hex(ack.spec)),
            "acked_at": .int(Int(ack.acknowledgedAt.timeIntervalSince1970)),
        ]
        return document.serialized(pretty: false)
    }

    // MARK: Reading

    /// Reads an export into `store`, taking each job's lease (`acquire`) before writing it.
    static func read(
        _ input: LineInput, label: String, into store: any StateMaintenance,
        acquire: (String) async throws -> Void
    ) async throws -> StateSession.Transfer {
        var transfer = StateSession.Transfer()
        var job: JobKey?
        var pending: [StoredAcknowledgement] = []
        func flush() throws {
            guard let job, !pending.isEmpty else { return }
            try store.restore(pending, job: job)
            transfer.keys += pending.count
            pending.removeAll(keepingCapacity: true)
        }
        var number = 0
        while let text = try input.next() {
            number += 1
            if text.isEmpty { continue }
            func fail(_ message: String) -> SessionError {
                .usage("\(label):\(number): \(message) (not a `ctsync state export` line?)")
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw fail("not a JSON object")
            }
            switch object["type"] as? String {
            case "job":
                guard object["format"] as? String == format else { throw fail("\"format\" is not \"\(format)\"") }
                guard let version = object["format_version"] as? Int, version == formatVersion else {
                    throw fail("format_version \(object["format_version"] ?? "missing") is not \(formatVersion), the one this ctsync reads")
                }
                guard let name = object["job"] as? String, !name.isEmpty else { throw fail("no \"job\" name") }
                var destination: CleverTapDestination?
                if let d = object["destination"] as? [String: Any] {
                    guard let account = d["account"] as? String, let region = d["region"] as? String,
                        let endpoint = d["endpoint"] as? String
                    else { throw fail("destination needs account, region and endpoint") }
                    destination = CleverTapDestination(account: account, region: region, endpoint: endpoint)
                }
                try flush()
                try await acquire(name)
                let key = JobKey(name: name, destination: destination)
                let fingerprint = try (object["spec_fingerprint"] as? String).map { text in
                    guard let value = UInt64(text, radix: 16) else { throw fail("spec_fingerprint is not hexadecimal") }
                    return value
                }
                try store.restore(
                    StoredJob(
                        key: key, fingerprint: fingerprint, spec: object["spec"] as? String,
                        source: object["source"] as? String))
                job = key
                transfer.jobs += 1
            case "run":
                guard let job else { throw fail("a run before any job line") }
                guard let id = object["run_id"] as? String, let started = object["started_at"] as? Int,
                    let version = object["ctsync_version"] as? String, let host = object["host"] as? String,
                    let pid = object["pid"] as? Int
                else { throw fail("a run needs run_id, started_at, ctsync_version, host and pid") }
                var run = RunRecord(
                    id: id, job: job, startedAt: date(milliseconds: started), ctsyncVersion: version, host: host,
                    pid: Int32(truncatingIfNeeded: pid))
                run.finishedAt = (object["finished_at"] as? Int).map(date(milliseconds:))
                run.outcome = (object["status"] as? String).flatMap(RunOutcome.init(rawValue:))
                run.exitStatus = object["exit_status"] as? Int
                run.fullSync = object["full_sync"] as? String
                run.abortReason = object["abort_reason"] as? String
                run.reportPath = object["report"] as? String
                if let c = object["counts"] as? [String: Any] {
                    var counts = RunRecord.Counts()
                    counts.sourceRows = c["source_rows"] as? Int ?? 0
                    counts.invalid = c["invalid"] as? Int ?? 0
                    counts.unchanged = c["unchanged"] as? Int ?? 0
                    counts.added = c["added"] as? Int ?? 0
                    counts.changed = c["changed"] as? Int ?? 0
                    counts.sent = c["sent"] as? Int ?? 0
                    counts.succeeded = c["succeeded"] as? Int ?? 0
                    counts.rejected = c["rejected"] as? Int ?? 0
                    counts.failed = c["failed"] as? Int ?? 0
                    counts.possiblyDuplicated = c["possibly_duplicated"] as? Int ?? 0
                    run.counts = counts
                }
                try store.restore(run)
                transfer.runs += 1
            case "ack":
                guard job != nil else { throw fail("a key before any job line") }
                guard let key = object["key"] as? String, let hash = (object["hash"] as? String).flatMap(RecordHash.init(hex:)),
                    let spec = (object["spec"] as? String).flatMap({ UInt64($0, radix: 16) }),
                    let at = object["acked_at"] as? Int
                else { throw fail("a key needs key, hash (32 hex), spec (16 hex) and acked_at") }
                pending.append(
                    StoredAcknowledgement(
                        key: key, hash: hash, spec: spec, acknowledgedAt: Date(timeIntervalSince1970: Double(at))))
                if pending.count >= pageSize { try flush() }
            default:
                throw fail("unknown \"type\"")
            }
        }
        try flush()
        return transfer
    }

    static func hex(_ value: UInt64) -> String { String(format: "%016llx", value) }

    static func milliseconds(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded()) }

    static func date(milliseconds: Int) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// Lines of a file or of standard input, read a block at a time.
final class LineInput {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false

    /// Opens `path`, or standard input when nil.
    init(path: String?) throws {
        if let path {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw SessionError.usage("\(path): cannot open it for reading (missing or unreadable)")
            }
            self.handle = handle
        } else {
            handle = FileHandle.standardInput
        }
    }

    /// The next line without its newline; nil at the end.
    func next() throws -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                return line
            }
            if ended {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let block = try handle.read(upToCount: 1 << 16) ?? Data()
            if block.isEmpty { ended = true } else { buffer.append(contentsOf: block) }
        }
    }
}
