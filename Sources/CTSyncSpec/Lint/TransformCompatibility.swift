/// Which transforms make sense for which targets, so `lint` can refuse, say,
/// `date` into `MSG-email` before a single row is read.
enum TransformCompatibility {
    /// Transforms whose output is not a plain string.
    private static let nonString: Set<TransformKind> = [.date, .split, .bool, .number, .msToS, .iso8601, .gender]

    /// Why `transform` cannot feed `target`, or nil when it can.
    static func problem(_ transform: Transform, target: String, object: ObjectType) -> String? {
        let kind = transform.kind
        let forbidden: Set<TransformKind>
        let why: String
        switch target {
        case "identity":
            forbidden = nonString
            why = "identity must be a string"
        case "evtName":
            forbidden = nonString.union([.e164])
            why = "evtName must be a string"
        case "ts":
            forbidden = [.date, .split, .bool, .gender, .e164]
            why = "ts must be an integer of epoch seconds (use ms_to_s or iso8601)"
        default:
            guard object == .profiles else {
                return kind == .split
                    ? "transform \"split\" cannot apply to event property \(target): multi-value $add is a profile operator"
                    : nil
            }
            switch target {
            case let key where key.hasPrefix("MSG-"):
                forbidden = [.date, .split, .number, .e164, .gender, .msToS, .iso8601]
                why = "\(key) must be a boolean (use bool)"
            case "Phone":
                forbidden = nonString
                why = "Phone must be an E.164 string (use e164)"
            case "Email":
                forbidden = nonString.union([.e164])
                why = "Email must be a string"
            case "Gender":
                forbidden = [.date, .split, .bool, .number, .e164, .msToS, .iso8601]
                why = "Gender must be M or F (use gender)"
            case "DOB":
                forbidden = [.split, .bool, .e164, .gender]
                why = "DOB must be a $D_ date (use date)"
            case "Age":
                forbidden = [.date, .split, .bool, .e164, .gender, .msToS, .iso8601]
                why = "Age must be a number"
            case "Employed", "Married", "Education":
                forbidden = nonString.union([.e164])
                why = target == "Education" ? "Education must be School, College or Graduate" : "\(target) must be Y or N"
            case "Name", "Photo", "Customer Type":
                forbidden = [.split]
                why = "\(target) is a single-valued standard field"
            default:
                return nil
            }
        }
        guard forbidden.contains(kind) else { return nil }
        return "transform \"\(kind)\" cannot apply to \(target): \(why)"
    }
}
