import OlafTestSupport
import ControlClient
import Core
import Foundation
import Spawn
import Server
import Testing

/// olafd under a (simulated) service manager: the sd_notify sequence, reload, watchdog, and the control socket
/// path contract, with the real executable.
@Suite("olafd as a service", .serialized, .timeLimit(.minutes(2)))
struct ServiceIntegrationTests {
    @Test(
        "READY=1 and STATUS= once listening; reload sends RELOADING=1 + MONOTONIC_USEC then READY=1; SIGTERM sends STOPPING=1"
    )
    func notifySequence() async throws {
        let notify = try NotifyListener()
        let state = OlafdProcess.temporaryDirectory()
        let port = try TestPorts.free()
        let server = try await OlafdProcess(
            port: port, stateDirectory: state,
            environment: ["NOTIFY_SOCKET": notify.notifySocket, "WATCHDOG_USEC": "400000"])
        #expect(await notify.waitFor("READY=1") != nil)
        let status = await notify.waitFor("STATUS=")
        #expect(status?.contains("0 clients, 0/0 neighbours linked") == true)
        #expect(await notify.waitFor("WATCHDOG=1") != nil)

        let control = ControlAPIClient(socketPath: (state as NSString).appendingPathComponent("control.sock"))
        let reply = try await offPool { try control.reload() }
        #expect(reply.objectValue?["reloaded"]?.boolValue == true)
        let reloading = await notify.waitFor("RELOADING=1")
        #expect(reloading?.contains("MONOTONIC_USEC=") == true)
        let afterReload = notify.messages.drop { !$0.contains("RELOADING=1") }
        #expect(afterReload.dropFirst().contains("READY=1"))

        server.process.send(SIGHUP)
        #expect(await waitUntil { notify.messages.filter { $0.contains("RELOADING=1") }.count == 2 })

        #expect(await server.stop(signal: SIGTERM) == 0)
        #expect(notify.messages.contains("STOPPING=1"))
        let order = notify.messages
        #expect(order.firstIndex(of: "READY=1")! < order.firstIndex(of: "STOPPING=1")!)
    }

    @Test("without NOTIFY_SOCKET nothing is sent and olafd still runs; the control socket is in the state directory")
    func noNotifySocket() async throws {
        let state = OlafdProcess.temporaryDirectory()
        let server = try await OlafdProcess(port: try TestPorts.free(), stateDirectory: state)
        let path = (state as NSString).appendingPathComponent("control.sock")
        let status = try await offPool { try ControlAPIClient(socketPath: path).status() }
        #expect(status.objectValue?["clients"]?.uint64Value == 0)
        #expect(await server.stop() == 0)
    }
}
