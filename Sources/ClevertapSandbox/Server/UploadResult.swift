/// The HTTP 200 body of an upload:
/// `{"status":"success|partial|fail","processed":N,"unprocessed":[...]}`.
struct UploadResult {
    struct Unprocessed {
        /// 1-based position in the request's `d`.
        let number: Int
        let rejection: RecordRejection
        let record: SandboxValue
    }

    let processed: Int
    let unprocessed: [Unprocessed]

    /// `success` when every record was stored, `fail` when none was, else `partial`.
    var status: String {
        if unprocessed.isEmpty { return "success" }
        return processed == 0 ? "fail" : "partial"
    }

    func encoded() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 64 + unprocessed.count * 512)
        writer.raw("{")
        writer.key("status")
        writer.write(status)
        writer.raw(",")
        writer.key("processed")
        writer.write(processed)
        writer.raw(",")
        writer.key("unprocessed")
        writer.raw("[")
        for (index, item) in unprocessed.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{")
            writer.key("status")
            writer.write("fail")
            writer.raw(",")
            writer.key("code")
            writer.write(item.rejection.code)
            writer.raw(",")
            writer.key("error")
            writer.write(item.rejection.message(recordNumber: item.number))
            writer.raw(",")
            writer.key("record")
            writer.write(RecordEcho.normalize(item.record))
            writer.raw("}")
        }
        writer.raw("]")
        writer.raw("}")
        return writer.bytes
    }
}
