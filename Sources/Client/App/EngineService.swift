import Logging
public import ServiceLifecycle

/// Runs the session's engine once it is unlocked, until graceful shutdown.
public struct EngineService: Service {
    let session: UserSession

    public init(session: UserSession) { self.session = session }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await engine in session.startedEngines {
                await engine.run()
                return
            }
        }
        await session.close()
    }
}
