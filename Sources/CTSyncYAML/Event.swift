/// One libyaml parser event, copied out of C memory so the C event can be
/// freed as soon as it is read and no C type reaches the composer.
struct Event {
    enum Kind: Equatable {
        case streamStart
        case streamEnd
        case documentStart
        case documentEnd
        case alias(anchor: String)
        case scalar(Scalar, anchor: String?)
        case sequenceStart(anchor: String?)
        case sequenceEnd
        case mappingStart(anchor: String?)
        case mappingEnd
    }

    let kind: Kind
    /// Where the event starts; for a node, where its anchor or tag starts if it has one.
    let mark: Mark
}
