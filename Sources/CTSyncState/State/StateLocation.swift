import Foundation
import CTSyncPlan
import CTSyncSupport

/// Where state lives, from `--state` or `CTSYNC_STATE`.
public enum StateLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A PostgreSQL database, shared by machines (`postgres://USER@HOST:PORT/DATABASE`).
    case postgres(PostgresLocation)

    /// The default: `.ctsync/state.sqlite` in the working directory.
    public static let defaultLocation = StateLocation.sqlite(path: ".ctsync/state.sqlite")

    /// Parses a location; a PostgreSQL password comes from this process's environment.
    public init(parsing text: String) throws(StateError) {
        try self.init(parsing: text, environment: ProcessInfo.processInfo.environment)
    }

    /// Parses a location; a PostgreSQL password comes from `CTSYNC_STATE_PASSWORD`
    /// or `PGPASSWORD` in `environment`, never from the URL.
    public init(parsing text: String, environment: [String: String]) throws(StateError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw .unsupportedLocation(text) }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(parsing: text, environment: environment))
        } else if text.contains("://") {
            throw .unsupportedLocation(PostgresLocation.redact(text))
        } else if text.isEmpty {
            throw .unsupportedLocation(text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Opens the store for reading only: `plan` writes nothing and creates nothing.
    /// Nil when there is no state yet (no file; a database without ctsync's tables).
    public func openForReading() throws(StateError) -> (any StateStore)? {
        switch self {
        case .sqlite(let path):
            guard Paths.exists(path) else { return nil }
            return try SQLiteStateStore(path: path, readOnly: true)
        case .postgres(let location):
            return try PostgresStateStore.open(location, readOnly: true)
        }
    }

    /// Opens (creating if needed) the store for a run.
    public func openForWriting() throws(StateError) -> any StateStore {
        switch self {
        case .sqlite(let path): return try SQLiteStateStore(path: path, readOnly: false)
        case .postgres(let location):
            guard let store = try PostgresStateStore.open(location, readOnly: false) else {
                preconditionFailure("a store opened for writing is never nil")
            }
            return store
        }
    }

    /// Opens (creating if needed) the store for a run, with the coordinator of the
    /// processes sharing it (job leases, account slots): lock files beside a SQLite
    /// file, lease rows in PostgreSQL.
    public func openForRun() throws(StateError) -> (store: any StateStore, coordinator: any RunCoordinator) {
        switch self {
        case .sqlite(let path):
            let store = try SQLiteStateStore(path: path, readOnly: false)
            do {
                return (store, try LockFileCoordinator(directory: LockFileCoordinator.directory(forStateFile: path)))
            } catch {
                throw .io(path: path, message: "\(error)")
            }
        case .postgres(let location):
            guard let store = try PostgresStateStore.open(location, readOnly: false) else {
                preconditionFailure("a store opened for writing is never nil")
            }
            return (store, PostgresCoordinator(store: store))
        }
    }

    /// Opens the state to look at it (`status`, `history`, `state show|export`): the
    /// store read-only, nil when there is no state yet, and who holds job leases.
    /// Creates and changes nothing; an older schema is read as it is.
    public func openForInspection() throws(StateError) -> (store: (any StateMaintenance)?, leases: any LeaseInspector) {
        switch self {
        case .sqlite(let path):
            let leases = LockFileLeaseInspector(directory: LockFileCoordinator.directory(forStateFile: path))
            guard Paths.exists(path) else { return (nil, leases) }
            return (try SQLiteStateStore(path: path, readOnly: true), leases)
        case .postgres(let location):
            let store = try PostgresStateStore.open(location, readOnly: true)
            return (store, PostgresLeaseInspector(store: store))
        }
    }

    /// Opens (creating or migrating if needed) the store for `state` repairs, with the
    /// coordinator whose job leases keep runs out while a repair changes a job.
    public func openForMaintenance() throws(StateError) -> (store: any StateMaintenance, coordinator: any RunCoordinator) {
        switch self {
        case .sqlite(let path):
            let store = try SQLiteStateStore(path: path, readOnly: false)
            do {
                return (store, try LockFileCoordinator(directory: LockFileCoordinator.directory(forStateFile: path)))
            } catch {
                throw .io(path: path, message: "\(error)")
            }
        case .postgres(let location):
            guard let store = try PostgresStateStore.open(location, readOnly: false) else {
                preconditionFailure("a store opened for writing is never nil")
            }
            return (store, PostgresCoordinator(store: store))
        }
    }

    /// What puts this state's data at risk, for the CLI to print as warnings: a SQLite
    /// file (or its -wal/-shm) other users can read, a PostgreSQL server on the network
    /// reached without `sslmode=verify-full`.
    public func warnings() -> [String] {
        switch self {
        case .sqlite(let path):
            let readable = [path, path + "-wal", path + "-shm"].filter(PrivateFile.isReadableByOthers)
            guard !readable.isEmpty else { return [] }
            let mode = PrivateFile.mode(of: readable[0]).map { String($0, radix: 8) } ?? "?"
            return [
                "state file \(readable[0]) can be read by other users (mode \(mode)); it holds primary keys, often emails or phone numbers: chmod 600 \(readable.map(Self.shellQuoted).joined(separator: " "))"
            ]
        case .postgres(let location):
            return location.warnings
        }
    }

    /// `path` as a shell word, quoted only when needed.
    static func shellQuoted(_ path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/._-+:@%".unicodeScalars.contains($0))
        }
        return plain && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The environment variables and values a source command must not get because they
    /// open this state: the PostgreSQL password and the variable it came from.
    public var commandSecrets: (names: [String], values: [String]) {
        switch self {
        case .sqlite: ([], [])
        case .postgres(let location): (location.passwordVariable.map { [$0] } ?? [], location.password.map { [$0] } ?? [])
        }
    }

    /// Where the state is, safe to print (no password).
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }
}
