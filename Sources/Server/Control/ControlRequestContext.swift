public import Hummingbird
public import NIOCore

/// Request context of the control API: keeps the channel so the peer's credentials can be read.
public struct ControlRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
