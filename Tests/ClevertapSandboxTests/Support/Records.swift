/// Builders for upload bodies in tests.
enum Records {
    /// `{"d":[...]}` from record JSON texts.
    static func batch(_ records: [String]) -> String {
        "{\"d\":[" + records.joined(separator: ",") + "]}"
    }

    static func profile(_ identity: String, _ data: String = "{\"Name\":\"Jo\"}", ts: String? = nil) -> String {
        let tsField = ts.map { ",\"ts\":\($0)" } ?? ""
        return "{\"type\":\"profile\",\"identity\":\"\(identity)\"\(tsField),\"profileData\":\(data)}"
    }

    static func event(_ identity: String, _ name: String, _ data: String = "{}") -> String {
        "{\"type\":\"event\",\"identity\":\"\(identity)\",\"evtName\":\"\(name)\",\"evtData\":\(data)}"
    }
}
