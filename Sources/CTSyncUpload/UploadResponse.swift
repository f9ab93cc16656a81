import Foundation

/// A CleverTap Upload API answer, parsed defensively.
enum UploadResponse: Sendable, Equatable {
    /// Per-record outcome: `status` success/partial/fail with the refused records.
    case records(status: String, processed: Int?, unprocessed: [UnprocessedItem])
    /// A request-level refusal: `{"status":"fail","error":…,"code":…}`.
    case request(code: Int?, message: String)
    /// Not what CleverTap sends; the attempt counts as failed, never as success.
    case unrecognized(String)

    init(body: [UInt8]) {
        guard !body.isEmpty else {
            self = .unrecognized("empty response body")
            return
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(body))
        } catch {
            self = .unrecognized("response body is not a CleverTap answer")
            return
        }
        guard let status = wire.status else {
            self = .unrecognized("response has no status")
            return
        }
        switch status {
        case "success", "partial", "fail":
            if wire.processed == nil && wire.unprocessed == nil {
                switch status {
                case "fail": self = .request(code: wire.code?.value, message: wire.error ?? "request failed")
                // A bare success: every record was taken.
                case "success": self = .records(status: status, processed: nil, unprocessed: [])
                default: self = .unrecognized("partial response without unprocessed records")
                }
                return
            }
            let items = (wire.unprocessed ?? []).map {
                UnprocessedItem(
                    code: $0.code?.value, error: $0.error ?? "",
                    recordNumber: UnprocessedItem.recordNumber(in: $0.error ?? ""), identity: $0.record?.identity)
            }
            self = .records(status: status, processed: wire.processed?.value, unprocessed: items)
        default:
            self = .unrecognized("unknown status \"\(status.prefix(40))\"")
        }
    }

    /// The body as CleverTap sends it; numbers may arrive as strings.
    private struct Wire: Decodable {
        var status: String?
        var processed: LooseInt?
        var unprocessed: [Item]?
        var code: LooseInt?
        var error: String?
    }

    private struct Item: Decodable {
        var code: LooseInt?
        var error: String?
        var record: Echo?
    }

    /// The normalised echo; only its identity is read, and only when it is a string or number.
    private struct Echo: Decodable {
        var identity: String?

        init(from decoder: any Decoder) throws {
            let container = try? decoder.container(keyedBy: Key.self)
            if let text = try? container?.decode(String.self, forKey: .identity) {
                identity = text
            } else if let number = try? container?.decode(Int64.self, forKey: .identity) {
                identity = String(number)
            }
        }

        enum Key: String, CodingKey { case identity }
    }

    private struct LooseInt: Decodable {
        var value: Int?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let int = try? container.decode(Int.self) {
                value = int
            } else if let text = try? container.decode(String.self) {
                value = Int(text.trimmingCharacters(in: .whitespaces))
            } else {
                value = nil
            }
        }
    }
}

/// One refused record from `unprocessed`.
struct UnprocessedItem: Sendable, Equatable {
    var code: Int?
    var error: String
    /// The 1-based position in the request's `d`, from `Skipped record number : N`.
    var recordNumber: Int?
    /// The identity in the server's echo, for matching when the number is missing.
    var identity: String?

    init(code: Int?, error: String, recordNumber: Int?, identity: String?) {
        self.code = code
        self.error = error
        self.recordNumber = recordNumber
        self.identity = identity
    }

    /// The number after the last `Skipped record number` (spacing and case vary in real traffic).
    static func recordNumber(in error: String) -> Int? {
        guard let range = error.range(of: "record number", options: [.caseInsensitive, .backwards]) else { return nil }
        var rest = error[range.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\t" }
        rest = rest.prefix { $0.isASCII && $0.isNumber }
        return Int(rest)
    }

    /// The error text without the `Skipped record number` suffix, for reports.
    var reason: String {
        guard let range = error.range(of: "Skipped record number", options: [.caseInsensitive, .backwards]) else {
            return error
        }
        return String(error[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
    }
}
