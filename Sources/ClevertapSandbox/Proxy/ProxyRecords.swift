/// What a ``ConnectProxy`` has done so far, kept behind its lock.
struct ProxyRecords: Sendable {
    /// Tunnels opened, in order.
    var tunnels: [ProxyTunnel] = []
    /// Targets refused because they were not loopback, as the client wrote them.
    var refusedTargets: [String] = []
}
