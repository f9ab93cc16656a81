import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CTSyncSupport
@testable import CleverTapContract
@testable import CTSyncSpec
@testable import CTSyncSource
@testable import CTSyncMapping
@testable import CTSyncPlan
@testable import CTSyncState
@testable import CTSyncReport
@testable import CTSyncUpload
@testable import CTSyncSession

/// A database of its own for one test, created on the server that
/// `CTSYNC_TEST_POSTGRES_URL` names (`scripts/postgres start` prints one; CI
/// exports it) and dropped when the test is done. Tests that need PostgreSQL are
/// skipped, saying so, when the variable is unset.
final class PostgresTestDatabase: @unchecked Sendable {
    static let variable = "CTSYNC_TEST_POSTGRES_URL"
    static let serverURL = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    static var isConfigured: Bool { serverURL != nil }
    static let skipMessage: Comment =
        "CTSYNC_TEST_POSTGRES_URL is unset: PostgreSQL tests skipped (run scripts/postgres start and export its URL; CI does)"

    let name: String
    /// `postgres://…/<name>`.
    let url: String
    let location: PostgresLocation

    init() async throws {
        let server = try #require(Self.serverURL, Self.skipMessage)
        name = "ctsync_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let base = try PostgresLocation(parsing: server, environment: ProcessInfo.processInfo.environment)
        var location = base
        location.database = name
        self.location = location
        url = location.description
        try await Self.admin(base) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(self.name)"), logger: Self.logger)
        }
    }

    deinit {
        let (base, name) = (Self.serverURL, self.name)
        guard let base, let location = try? PostgresLocation(parsing: base, environment: [:]) else { return }
        let done = DispatchSemaphore(value: 0)
        // Not on the cooperative pool: a deinit may run on one of its threads and block it.
        Task(executorPreference: PostgresBridge.executor) {
            try? await Self.admin(location) { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: Self.logger)
            }
            done.signal()
        }
        _ = done.wait(timeout: .now() + 10)
    }

    /// Runs SQL statements in this test's database.
    func execute(_ statements: String...) async throws {
        try await Self.admin(location) { connection in
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger).drain()
            }
        }
    }

    /// The first column of the first row of `sql`, as text.
    func scalar(_ sql: String) async throws -> String? {
        try await Self.admin(location) { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT (\(sql))::text"), logger: Self.logger)
            var value: String?
            for try await text in rows.decode(String?.self) { value = text }
            return value
        }
    }

    static let logger = Logger(label: "ctsync.tests", factory: { _ in SwiftLogNoOpLogHandler() })

    static func admin<T: Sendable>(
        _ location: PostgresLocation, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await PostgresConnection.connect(
            configuration: try location.connectionConfiguration(), id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// The state backends the parameterised tests run over: SQLite always,
/// PostgreSQL when a server is configured.
enum StateBackend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var configured: [StateBackend] { PostgresTestDatabase.isConfigured ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}

/// One test's state, in either backend: the `--state` argument and the stores.
final class TestState: @unchecked Sendable {
    let backend: StateBackend
    let argument: String
    private let database: PostgresTestDatabase?
    private let directory: TemporaryDirectory?

    init(_ backend: StateBackend, directory: TemporaryDirectory? = nil) async throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let directory = directory ?? TemporaryDirectory()
            self.directory = directory
            database = nil
            argument = directory.path + "/state.sqlite"
        case .postgres:
            let database = try await PostgresTestDatabase()
            self.database = database
            self.directory = nil
            argument = database.url
        }
    }

    var location: StateLocation { try! StateLocation(parsing: argument, environment: [:]) }

    func openForWriting() throws -> any StateStore {
        try location.openForWriting()
    }

    /// How many keys `job` has acknowledged.
    func acknowledged(_ job: String) throws -> Int {
        guard let store = try location.openForReading() else { return 0 }
        defer { (store as? PostgresStateStore)?.shutdown() }
        return try store.acknowledgedCount(named: job)
    }

    var postgres: PostgresTestDatabase? { database }
}
