/// The members of a record the validator reads, gathered in one pass over the
/// record instead of one hashed lookup each.
struct RecordFields {
    var type: SandboxValue?
    var identity: SandboxValue?
    var objectId: SandboxValue?
    var fbid: SandboxValue?
    var gpid: SandboxValue?
    var ts: SandboxValue?
    var profileData: SandboxValue?
    var evtName: SandboxValue?
    var evtData: SandboxValue?

    init(_ members: [String: SandboxValue]) {
        for (key, value) in members {
            switch key {
            case "type": type = value
            case "identity": identity = value
            case "objectId": objectId = value
            case "FBID": fbid = value
            case "GPID": gpid = value
            case "ts": ts = value
            case "profileData": profileData = value
            case "evtName": evtName = value
            case "evtData": evtData = value
            default: continue
            }
        }
    }

    /// The identifiers in the order CleverTap's docs list them.
    var identifiers: [SandboxValue?] { [identity, objectId, fbid, gpid] }
}
