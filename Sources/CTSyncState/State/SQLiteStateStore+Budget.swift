import Foundation
import GRDB
import CTSyncPlan
import CTSyncSpec
import CleverTapContract

/// Account limits kept across runs (schema 3): the event names and property keys
/// CleverTap acknowledged at each destination, and those runs reserved. A reservation
/// counts while its run is in `ctsync_runs` unfinished; SQLite's one writer at a time
/// (an IMMEDIATE transaction) makes each reservation's count-then-insert atomic.
extension SQLiteStateStore {
    static let budgetTables = """
        CREATE TABLE ctsync_event_names (
            destination_id INTEGER NOT NULL REFERENCES ctsync_destinations(id),
            name TEXT NOT NULL,
            run_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (destination_id, name, run_id)
        ) WITHOUT ROWID;
        CREATE INDEX ctsync_event_names_by_run ON ctsync_event_names (run_id) WHERE run_id <> '';
        CREATE TABLE ctsync_event_properties (
            destination_id INTEGER NOT NULL REFERENCES ctsync_destinations(id),
            event_name TEXT NOT NULL,
            key TEXT NOT NULL,
            run_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (destination_id, event_name, key, run_id)
        ) WITHOUT ROWID;
        CREATE INDEX ctsync_event_properties_by_run ON ctsync_event_properties (run_id) WHERE run_id <> '';
        ALTER TABLE ctsync_destinations ADD COLUMN event_names_limit INTEGER;
        ALTER TABLE ctsync_destinations ADD COLUMN properties_per_event_limit INTEGER;
        """

    /// A row that counts: acknowledged (`run_id` ''), reserved by `?` (the asking run),
    /// or by a run that has not finished.
    static let live = """
        (t.run_id = '' OR t.run_id = ? OR EXISTS (
            SELECT 1 FROM ctsync_runs r WHERE r.id = t.run_id AND r.finished_at IS NULL AND r.status IS NULL))
        """

    public func budget(at destination: CleverTapDestination, run: String?) throws(StateError) -> BudgetSnapshot {
        guard schemaVersion >= 3 else { return BudgetSnapshot() }
        return try read { db in
            guard let id = try Self.existingDestinationID(db, destination) else { return BudgetSnapshot() }
            return try Self.snapshot(db, destinationID: id, run: run ?? "")
        }
    }

    public func beginBudget(at destination: CleverTapDestination, run: String, limits: AccountLimits) throws(StateError)
        -> BudgetSnapshot
    {
        let pool = try writable()
        return try wrap {
            try pool.write { db in
                let id = try Self.destinationID(db, destination)
                try db.execute(
                    sql: "UPDATE ctsync_destinations SET event_names_limit = ?, properties_per_event_limit = ? WHERE id = ?",
                    arguments: [limits.eventNames, limits.propertiesPerEvent, id])
                for table in ["ctsync_event_names", "ctsync_event_properties"] {
                    try db.execute(
                        sql: "DELETE FROM \(table) AS t WHERE t.destination_id = ? AND t.run_id <> '' AND NOT \(Self.live)",
                        arguments: [id, run])
                }
                return try Self.snapshot(db, destinationID: id, run: run)
            }
        }
    }

    public func reserve(
        _ request: BudgetRequest, at destination: CleverTapDestination, run: String, limits: AccountLimits
    ) throws(StateError) -> BudgetDecision {
        let pool = try writable()
        return try wrap {
            try pool.write { db in
                let id = try Self.destinationID(db, destination)
                let name = request.eventName
                // name -> whether acknowledged, over the rows that count.
                let names = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT t.name, max(t.run_id = '') FROM ctsync_event_names t
                        WHERE t.destination_id = ? AND \(Self.live) GROUP BY t.name
                        """, arguments: [id, run])
                let nameAcknowledged = names.first { ($0[0] as String) == name }.map { ($0[1] as Int) == 1 }
                if nameAcknowledged == nil && names.count + 1 > limits.eventNames {
                    let acknowledged = names.count(where: { ($0[1] as Int) == 1 })
                    return .eventNamesExhausted(
                        BudgetUse(acknowledged: acknowledged, reserved: names.count - acknowledged, limit: limits.eventNames))
                }
                let keys = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT t.key, max(t.run_id = '') FROM ctsync_event_properties t
                        WHERE t.destination_id = ? AND t.event_name = ? AND \(Self.live) GROUP BY t.key
                        """, arguments: [id, name, run])
                var acknowledgedKeys: Set<String> = []
                var liveKeys: Set<String> = []
                for row in keys {
                    liveKeys.insert(row[0])
                    if (row[1] as Int) == 1 { acknowledgedKeys.insert(row[0]) }
                }
                let new = request.keys.filter { !liveKeys.contains($0) }
                if liveKeys.count + new.count > limits.propertiesPerEvent {
                    return .propertiesExhausted(
                        BudgetUse(
                            acknowledged: acknowledgedKeys.count, reserved: liveKeys.count - acknowledgedKeys.count,
                            limit: limits.propertiesPerEvent), newKeys: new)
                }
                let now = Int64(Date().timeIntervalSince1970)
                if nameAcknowledged != true {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO ctsync_event_names (destination_id, name, run_id, at) VALUES (?, ?, ?, ?)",
                        arguments: [id, name, run, now])
                }
                for key in request.keys where !acknowledgedKeys.contains(key) {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO ctsync_event_properties (destination_id, event_name, key, run_id, at)
                            VALUES (?, ?, ?, ?, ?)
                            """, arguments: [id, name, key, run, now])
                }
                return .granted
            }
        }
    }

    public func releaseReservations(run: String) throws(StateError) {
        guard !run.isEmpty else { return }
        let pool = try writable()
        try wrap {
            try pool.write { db in
                try db.execute(sql: "DELETE FROM ctsync_event_names WHERE run_id = ?", arguments: [run])
                try db.execute(sql: "DELETE FROM ctsync_event_properties WHERE run_id = ?", arguments: [run])
            }
        }
    }

    /// Records acknowledged names and keys, dropping the run's reservations of them.
    static func record(_ budget: BudgetAcknowledgement, _ db: Database) throws {
        let id = try destinationID(db, budget.destination)
        let now = Int64(Date().timeIntervalSince1970)
        for (name, keys) in budget.events {
            try db.execute(
                sql: "INSERT OR IGNORE INTO ctsync_event_names (destination_id, name, run_id, at) VALUES (?, ?, '', ?)",
                arguments: [id, name, now])
            try db.execute(
                sql: "DELETE FROM ctsync_event_names WHERE destination_id = ? AND name = ? AND run_id = ?",
                arguments: [id, name, budget.run])
            for key in keys {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO ctsync_event_properties (destination_id, event_name, key, run_id, at)
                        VALUES (?, ?, ?, '', ?)
                        """, arguments: [id, name, key, now])
                try db.execute(
                    sql: """
                        DELETE FROM ctsync_event_properties
                        WHERE destination_id = ? AND event_name = ? AND key = ? AND run_id = ?
                        """, arguments: [id, name, key, budget.run])
            }
        }
    }

    static func existingDestinationID(_ db: Database, _ destination: CleverTapDestination) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT id FROM ctsync_destinations WHERE account = ? AND region = ? AND endpoint = ?",
            arguments: [destination.account, destination.region, destination.endpoint])
    }

    static func snapshot(_ db: Database, destinationID id: Int64, run: String) throws -> BudgetSnapshot {
        var snapshot = BudgetSnapshot()
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT t.name, max(t.run_id = '') FROM ctsync_event_names t
                WHERE t.destination_id = ? AND \(live) GROUP BY t.name
                """, arguments: [id, run])
        {
            snapshot.events[row[0]] = BudgetSnapshot.Event(acknowledged: (row[1] as Int) == 1)
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT t.event_name, t.key, max(t.run_id = '') FROM ctsync_event_properties t
                WHERE t.destination_id = ? AND \(live) GROUP BY t.event_name, t.key
                """, arguments: [id, run])
        {
            let name: String = row[0]
            var event = snapshot.events[name] ?? BudgetSnapshot.Event(acknowledged: false)
            if (row[2] as Int) == 1 { event.acknowledgedKeys.insert(row[1]) } else { event.reservedKeys.insert(row[1]) }
            snapshot.events[name] = event
        }
        if let row = try Row.fetchOne(
            db, sql: "SELECT event_names_limit, properties_per_event_limit FROM ctsync_destinations WHERE id = ?",
            arguments: [id]), let names = row[0] as Int?, let keys = row[1] as Int?
        {
            snapshot.limits = AccountLimits(eventNames: names, propertiesPerEvent: keys)
        }
        return snapshot
    }
}
