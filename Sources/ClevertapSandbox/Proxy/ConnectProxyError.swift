/// A ``ConnectProxy`` used out of order.
public enum ConnectProxyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// ``ConnectProxy/start(shutdownOnSignals:)`` called a second time.
    case alreadyStarted

    public var description: String {
        switch self {
        case .alreadyStarted: "the proxy was already started; make a new one"
        }
    }
}
