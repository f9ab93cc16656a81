/// The outcome of mapping one source row: the record to send, or why there is none.
public enum MappedRow: Sendable {
    case record(EncodedRecord)
    case rejected(RowRejection)
}
