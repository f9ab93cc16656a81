import PostgresNIO
import CTSyncPlan

/// Words for what went wrong talking to PostgreSQL. PostgresNIO's own error
/// description is deliberately vague; the server's message and the socket error
/// are what an operator needs. Nothing here can hold the password.
enum PostgresFailure {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PostgresTransactionError:
            let inner: (any Error)? = error.closureError ?? error.beginError ?? error.commitError
            return inner.map(describe) ?? "the transaction failed"
        case let error as PSQLError:
            return describe(error)
        case _ where isPoolError(error):
            // The pool's own error type lives in a module we do not depend on.
            return "\(error)".contains("CircuitBreaker")
                ? "cannot connect (new connections have been failing for a while)" : "no connection to the database"
        case let error as PostgresTimeout:
            return error.description
        case is CancellationError:
            return "cancelled"
        default:
            return "\(error)"
        }
    }

    private static func describe(_ error: PSQLError) -> String {
        switch error.code {
        case .server:
            let message = error.serverInfo?[.message] ?? "server error"
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let hint = error.serverInfo?[.hint].map { "; \($0)" } ?? ""
            return message + state + hint
        case .connectionError:
            return "cannot connect: " + (error.underlying.map { "\($0)" } ?? "connection failed")
        case .serverClosedConnection, .uncleanShutdown:
            return "the server closed the connection"
        case .clientClosedConnection:
            return "the connection was closed"
        case .authMechanismRequiresPassword:
            return "the server asks for a password: set CTSYNC_STATE_PASSWORD or PGPASSWORD"
        case .unsupportedAuthMechanism:
            return "the server asks for an authentication method ctsync does not support (use scram-sha-256, md5 or trust)"
        case .sslUnsupported:
            return "the server does not support TLS, which sslmode requires (use sslmode=prefer or disable)"
        case .failedToAddSSLHandler:
            return "cannot set up TLS: " + (error.underlying.map { "\($0)" } ?? "unknown error")
        case .queryCancelled:
            return "the query was cancelled"
        case .poolClosed:
            return "the connection pool is closed"
        default:
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
    }

    /// Whether retrying (on a new connection) may succeed: the connection, not the
    /// statement, failed.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresTransactionError:
            let inner: (any Error)? = error.closureError ?? error.beginError ?? error.commitError
            return inner.map(isTransient) ?? false
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                return true
            case .server:
                let state = error.serverInfo?[.sqlState] ?? ""
                // connection_exception, admin/crash shutdown, cannot_connect_now, serialization, deadlock
                return state.hasPrefix("08") || state.hasPrefix("57P") || state == "40001" || state == "40P01"
            default:
                return false
            }
        case is PostgresTimeout:
            return true
        case _ where isPoolError(error):
            return true
        default:
            return false
        }
    }

    private static func isPoolError(_ error: any Error) -> Bool {
        String(describing: type(of: error)) == "ConnectionPoolError"
    }

    /// A `StateError` thrown inside a transaction, unwrapped.
    static func stateError(_ error: any Error) -> StateError? {
        if let error = error as? StateError { return error }
        if let error = error as? PostgresTransactionError, let inner = error.closureError { return stateError(inner) }
        return nil
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        guard let error = error as? PSQLError, error.code == .server else { return nil }
        return error.serverInfo?[.sqlState]
    }
}
