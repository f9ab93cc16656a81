import CTSyncPlan

extension RunReportDocument.Counts {
    /// The counts a run recorded in state, in the run report's shape (`status`, `history`).
    public init(_ counts: RunRecord.Counts) {
        sourceRows = counts.sourceRows
        invalid = counts.invalid
        unchanged = counts.unchanged
        planned = counts.planned
        added = counts.added
        changed = counts.changed
        sent = counts.sent
        succeeded = counts.succeeded
        rejected = counts.rejected
        failed = counts.failed
        possiblyDuplicated = counts.possiblyDuplicated
    }
}
