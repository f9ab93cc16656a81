import CTSyncPlan
import CleverTapContract

/// The repairs `ctsync state` makes to one job's state, beyond what runs and plans
/// need: inspect one key, forget keys, rename a job, and move a job's state between
/// stores (export and import). Callers hold the job's lease (the run coordinator's)
/// while they change anything.
public protocol StateMaintenance: StateStore {
    /// One acknowledged key of the job at a destination, or nil when it was never acknowledged.
    func acknowledgement(of key: String, job: JobKey) throws(StateError) -> StoredAcknowledgement?
    /// Deletes the acknowledgements of `keys`, so that the next run sends those rows
    /// again. Returns how many were deleted.
    func forget(keys: [String], job: JobKey) throws(StateError) -> Int
    /// Deletes the job's state at that destination: its keys, its spec and its run
    /// history (`state forget --all`); the next run to it is a first run. Returns how
    /// many keys were deleted.
    func drop(job: JobKey) throws(StateError) -> Int
    /// Gives every state of job `name` (each destination's, its keys and history) the
    /// name `newName`. `.conflict` when `name` has no state or `newName` has some.
    func rename(job name: String, to newName: String) throws(StateError)
    /// Up to `limit` of the job's acknowledgements in key order (bytewise), after
    /// `key` (from the first when nil): `state export` pages through a job with these.
    func acknowledgements(job: JobKey, after key: String?, limit: Int) throws(StateError) -> [StoredAcknowledgement]
    /// Creates the job's state from an export: its spec, fingerprint and source.
    /// `.conflict` when the job already holds keys at that destination.
    func restore(_ job: StoredJob) throws(StateError)
    /// Writes exported acknowledgements as they were (hash, fingerprint, time), in one transaction.
    func restore(_ acknowledgements: [StoredAcknowledgement], job: JobKey) throws(StateError)
    /// Writes an exported run record; one already present (same id) is kept.
    func restore(_ run: RunRecord) throws(StateError)
}
