import Foundation
import Hummingbird
import Logging
import NIOCore

extension OlafServer {
    /// The control API application on the Unix socket at `configuration.resolvedControlSocketPath`
    /// (checked first: never a symlink or someone else's file; mode 0660, group `olafd` after binding).
    func controlApplication(
        reload: @escaping @Sendable () async throws -> String,
        onListening: @escaping @Sendable () async -> Void
    ) throws -> some ApplicationProtocol {
        let path = configuration.resolvedControlSocketPath
        try ControlSocket.prepare(path: path)
        let router = Router(context: ControlRequestContext.self)
        router.add(middleware: PeerCredentialMiddleware(serviceUID: geteuid()))
        ControlAPI(server: self, startedAt: Date(), reload: reload).register(on: router)
        var logger = self.logger
        logger[metadataKey: "listener"] = "control"
        return Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: path), serverName: "olafd-control"),
            onServerRunning: { _ in
                ControlSocket.restrict(path: path)
                await onListening()
            },
            eventLoopGroupProvider: .shared(context.eventLoopGroup),
            logger: logger)
    }
}
