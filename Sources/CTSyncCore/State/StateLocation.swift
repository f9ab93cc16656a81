/// Where state lives, from `--state` or `CTSYNC_STATE`.
public enum StateLocation: Sendable, Equatable {
    case sqlite(path: String)

    /// The default: `.ctsync/state.sqlite` in the working directory.
    public static let defaultLocation = StateLocation.sqlite(path: ".ctsync/state.sqlite")

    public init(parsing text: String) throws(StateError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw .unsupportedLocation(text) }
            self = .sqlite(path: path)
        } else if text.contains("://") {
            throw .unsupportedLocation(text)
        } else if text.isEmpty {
            throw .unsupportedLocation(text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Opens the store for reading only: `plan` writes nothing and creates nothing.
    public func openForReading() throws(StateError) -> (any StateStore)? {
        switch self {
        case .sqlite(let path):
            guard Paths.exists(path) else { return nil }
            return try SQLiteStateStore(path: path, readOnly: true)
        }
    }

    /// Opens (creating if needed) the store for a run.
    public func openForWriting() throws(StateError) -> any StateStore {
        switch self {
        case .sqlite(let path): try SQLiteStateStore(path: path, readOnly: false)
        }
    }
}
