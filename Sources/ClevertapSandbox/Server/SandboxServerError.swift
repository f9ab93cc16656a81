/// A sandbox server that could not start.
public enum SandboxServerError: Error, Equatable, Sendable {
    /// The server stopped before it reported a listening address.
    case stoppedBeforeListening
}
