import Hummingbird
import NIOCore

/// Hummingbird's request context plus the connection's channel, which the
/// dropped- and lost-response faults close without answering.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}
