/// Why the load generator cannot run.
public enum LoadGeneratorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not `http://HOST:PORT[/path]`.
    case invalidURL(String)
    /// A count (clients, batches, batch size) below 1.
    case invalidCount(name: String, value: Int)

    public var description: String {
        switch self {
        case .invalidURL(let url): "\"\(url)\" is not http://HOST:PORT[/path]"
        case .invalidCount(let name, let value): "\(name) is \(value); it must be at least 1"
        }
    }
}
