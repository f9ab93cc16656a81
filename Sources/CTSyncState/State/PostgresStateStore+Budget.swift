import Foundation
import Logging
import PostgresNIO
import CTSyncPlan
import CTSyncSpec
import CleverTapContract

/// Account limits kept across runs (schema 3), as in `SQLiteStateStore+Budget`: each
/// reservation is one transaction that locks the destination's row (`FOR UPDATE`), so
/// processes on any machine reserving at once are counted one after the other.
extension PostgresStateStore {
    public func budget(at destination: CleverTapDestination, run: String?) throws(StateError) -> BudgetSnapshot {
        guard schemaVersion >= 3 else { return BudgetSnapshot() }
        let (account, region, endpoint) = (destination.account, destination.region, destination.endpoint)
        let run = run ?? ""
        return try call { client, logger in
            var id: Int64?
            for try await value in try await client.query(
                """
                SELECT id FROM ctsync_destinations
                WHERE account = \(account) AND region = \(region) AND endpoint = \(endpoint)
                """, logger: logger
            ).decode(Int64.self) { id = value }
            guard let id else { return BudgetSnapshot() }
            return try await client.withConnection { connection in
                try await Self.snapshot(connection, destinationID: id, run: run, logger: logger)
            }
        }
    }

    public func beginBudget(at destination: CleverTapDestination, run: String, limits: AccountLimits) throws(StateError)
        -> BudgetSnapshot
    {
        let id = try destinationID(destination)
        let (names, keys) = (Int32(limits.eventNames), Int32(limits.propertiesPerEvent))
        return try call { client, logger in
            try await client.withTransaction(logger: logger) { (connection) async throws -> BudgetSnapshot in
                try await connection.query(
                    """
                    UPDATE ctsync_destinations SET event_names_limit = \(names), properties_per_event_limit = \(keys)
                    WHERE id = \(id)
                    """, logger: logger
                ).drain()
                try await connection.query(
                    """
                    DELETE FROM ctsync_event_names t WHERE t.destination_id = \(id) AND t.run_id <> ''
                      AND t.run_id <> \(run) AND NOT EXISTS (
                        SELECT 1 FROM ctsync_runs r WHERE r.id = t.run_id AND r.finished_at IS NULL AND r.status IS NULL)
                    """, logger: logger
                ).drain()
                try await connection.query(
                    """
                    DELETE FROM ctsync_event_properties t WHERE t.destination_id = \(id) AND t.run_id <> ''
                      AND t.run_id <> \(run) AND NOT EXISTS (
                        SELECT 1 FROM ctsync_runs r WHERE r.id = t.run_id AND r.finished_at IS NULL AND r.status IS NULL)
                    """, logger: logger
                ).drain()
                return try await Self.snapshot(connection, destinationID: id, run: run, logger: logger)
            }
        }
    }

    public func reserve(
        _ request: BudgetRequest, at destination: CleverTapDestination, run: String, limits: AccountLimits
    ) throws(StateError) -> BudgetDecision {
        let id = try destinationID(destination)
        let (name, requested) = (request.eventName, request.keys)
        return try call { client, logger in
            try await client.withTransaction(logger: logger) { (connection) async throws -> BudgetDecision in
                // One reservation of the destination at a time, on every machine.
                try await connection.query(
                    "SELECT id FROM ctsync_destinations WHERE id = \(id) FOR UPDATE", logger: logger
                ).drain()
                var names: [String: Bool] = [:]
                for try await (found, acknowledged) in try await connection.query(
                    """
                    SELECT t.name, bool_or(t.run_id = '') FROM ctsync_event_names t
                    WHERE t.destination_id = \(id) AND (t.run_id = '' OR t.run_id = \(run) OR EXISTS (
                        SELECT 1 FROM ctsync_runs r WHERE r.id = t.run_id AND r.finished_at IS NULL AND r.status IS NULL))
                    GROUP BY t.name
                    """, logger: logger
                ).decode((String, Bool).self) { names[found] = acknowledged }
                let nameAcknowledged = names[name]
                if nameAcknowledged == nil && names.count + 1 > limits.eventNames {
                    let acknowledged = names.values.count(where: { $0 })
                    return BudgetDecision.eventNamesExhausted(
                        BudgetUse(acknowledged: acknowledged, reserved: names.count - acknowledged, limit: limits.eventNames))
                }
                var acknowledgedKeys: Set<String> = []
                var liveKeys: Set<String> = []
                for try await (key, acknowledged) in try await connection.query(
                    """
                    SELECT t.key, bool_or(t.run_id = '') FROM ctsync_event_properties t
                    WHERE t.destination_id = \(id) AND t.event_name = \(name) AND (t.run_id = '' OR t.run_id = \(run)
                      OR EXISTS (
                        SELECT 1 FROM ctsync_runs r WHERE r.id = t.run_id AND r.finished_at IS NULL AND r.status IS NULL))
                    GROUP BY t.key
                    """, logger: logger
                ).decode((String, Bool).self) {
                    liveKeys.insert(key)
                    if acknowledged { acknowledgedKeys.insert(key) }
                }
                let new = requested.filter { !liveKeys.contains($0) }
                if liveKeys.count + new.count > limits.propertiesPerEvent {
                    return BudgetDecision.propertiesExhausted(
                        BudgetUse(
                            acknowledged: acknowledgedKeys.count, reserved: liveKeys.count - acknowledgedKeys.count,
                            limit: limits.propertiesPerEvent), newKeys: new)
                }
                if nameAcknowledged != true {
                    try await connection.query(
                        """
                        INSERT INTO ctsync_event_names (destination_id, name, run_id) VALUES (\(id), \(name), \(run))
                        ON CONFLICT DO NOTHING
                        """, logger: logger
                    ).drain()
                }
                let reserved = requested.filter { !acknowledgedKeys.contains($0) }
                if !reserved.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO ctsync_event_properties (destination_id, event_name, key, run_id)
                        SELECT \(id), \(name), k, \(run) FROM unnest(\(reserved)::text[]) AS t (k)
                        ON CONFLICT DO NOTHING
                        """, logger: logger
                    ).drain()
                }
                return BudgetDecision.granted
            }
        }
    }

    public func releaseReservations(run: String) throws(StateError) {
        guard !run.isEmpty else { return }
        try call { client, logger in
            try await client.query("DELETE FROM ctsync_event_names WHERE run_id = \(run)", logger: logger).drain()
            try await client.query("DELETE FROM ctsync_event_properties WHERE run_id = \(run)", logger: logger).drain()
        }
    }

    /// Acknowledgements with the names and keys they carry, in one transaction.
    func acknowledge(
        _ records: [Acknowledgement], job: JobKey, spec: UInt64, recording budget: BudgetAcknowledgement
    ) throws(StateError) {
        let jobID = records.isEmpty ? nil : try self.jobID(job, create: true)
        let destination = try destinationID(budget.destination)
        let (keys, hashes) = Self.columns(of: records)
        let bits = Int64(bitPattern: spec)
        let run = budget.run
        var names: [String] = []
        var keyNames: [String] = []
        var keyEvents: [String] = []
        for (name, eventKeys) in budget.events {
            names.append(name)
            for key in eventKeys {
                keyEvents.append(name)
                keyNames.append(key)
            }
        }
        try call { [keys, hashes, names, keyNames, keyEvents] client, logger in
            try await client.withTransaction(logger: logger) { connection in
                if let jobID {
                    try await connection.query(
                        """
                        INSERT INTO ctsync_acks (job_id, key, hash, spec)
                        SELECT \(jobID), k, h, \(bits) FROM unnest(\(keys)::text[], \(hashes)::bytea[]) AS t (k, h)
                        ON CONFLICT (job_id, key) DO UPDATE
                        SET hash = excluded.hash, spec = excluded.spec, acked_at = excluded.acked_at
                        """, logger: logger
                    ).drain()
                }
                try await connection.query(
                    """
                    INSERT INTO ctsync_event_names (destination_id, name, run_id)
                    SELECT \(destination), n, '' FROM unnest(\(names)::text[]) AS t (n) ON CONFLICT DO NOTHING
                    """, logger: logger
                ).drain()
                try await connection.query(
                    """
                    DELETE FROM ctsync_event_names
                    WHERE destination_id = \(destination) AND run_id = \(run) AND name = ANY(\(names)::text[])
                    """, logger: logger
                ).drain()
                if !keyNames.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO ctsync_event_properties (destination_id, event_name, key, run_id)
                        SELECT \(destination), e, k, '' FROM unnest(\(keyEvents)::text[], \(keyNames)::text[]) AS t (e, k)
                        ON CONFLICT DO NOTHING
                        """, logger: logger
                    ).drain()
                    try await connection.query(
                        """
                        DELETE FROM ctsync_event_properties p USING unnest(\(keyEvents)::text[], \(keyNames)::text[]) AS t (e, k)
                        WHERE p.destination_id = \(destination) AND p.run_id = \(run) AND p.event_name = t.e AND p.key = t.k
                        """, logger: logger
                    ).drain()
                }
            }
        }
    }

    static func snapshot(
        _ connection: PostgresConnection, destinationID id: Int64, run: String, logger: Logger
    ) async throws -> BudgetSnapshot {
        var snapshot = BudgetSnapshot()
        for try await (name, acknowledged) in try await connection.query(
            """
            SELECT t.name, bool_or(t.run_id = '') FROM ctsync_event_names t
            WHERE t.destination_id = \(id) AND (t.run_id = '' OR t.run_id = \(run) OR EXISTS (
                SELECT 1 FROM ctsync_runs r WHERE r.id = t.run_id AND r.finished_at IS NULL AND r.status IS NULL))
            GROUP BY t.name
            """, logger: logger
        ).decode((String, Bool).self) {
            snapshot.events[name] = BudgetSnapshot.Event(acknowledged: acknowledged)
        }
        for try await (name, key, acknowledged) in try await connection.query(
            """
            SELECT t.event_name, t.key, bool_or(t.run_id = '') FROM ctsync_event_properties t
            WHERE t.destination_id = \(id) AND (t.run_id = '' OR t.run_id = \(run) OR EXISTS (
                SELECT 1 FROM ctsync_runs r WHERE r.id = t.run_id AND r.finished_at IS NULL AND r.status IS NULL))
            GROUP BY t.event_name, t.key
            """, logger: logger
        ).decode((String, String, Bool).self) {
            var event = snapshot.events[name] ?? BudgetSnapshot.Event(acknowledged: false)
            if acknowledged { event.acknowledgedKeys.insert(key) } else { event.reservedKeys.insert(key) }
            snapshot.events[name] = event
        }
        for try await (names, keys) in try await connection.query(
            "SELECT event_names_limit, properties_per_event_limit FROM ctsync_destinations WHERE id = \(id)",
            logger: logger
        ).decode((Int32?, Int32?).self) {
            if let names, let keys { snapshot.limits = AccountLimits(eventNames: Int(names), propertiesPerEvent: Int(keys)) }
        }
        return snapshot
    }
}
