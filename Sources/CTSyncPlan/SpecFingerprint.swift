import CTSyncSpec
import CTSyncSupport

/// A fingerprint of everything that decides what a profile looks like in CleverTap:
/// the destination (account, region, endpoint), the object, the key and every
/// mapping. When it changes, a profiles job resyncs in full.
public enum SpecFingerprint {
    public static func of(_ spec: JobSpec, endpoint: String) -> UInt64 {
        var text = "v1\n"
        text += "account=\(spec.destination.accountID.value)\nregion=\(spec.destination.region.value.rawValue)\n"
        text += "endpoint=\(endpoint)\nobject=\(spec.object.value.rawValue)\n"
        text += "key=\(spec.effectivePrimaryKey ?? "")\nidentity_kind=\(spec.identityKind?.value.rawValue ?? "")\n"
        for mapping in spec.mappings {
            if let column = mapping.column { text += "from=\(column.value)" }
            if let constant = mapping.constant { text += "value=\(constant.value)" }
            text += " to=\(mapping.target.value) transforms=\(mapping.transforms.map { "\($0.value)" }.joined(separator: ","))\n"
        }
        return RecordHash(bytes: Array(text.utf8)).high
    }
}
