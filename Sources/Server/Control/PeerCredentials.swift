import Foundation
import Hummingbird
import Logging
import NIOCore

/// Who is on the other end of a Unix socket (SO_PEERCRED), and whether they may use the control API: root, the
/// user olafd runs as, or a member of the `olafd` group.
struct PeerCredentials: Sendable, Equatable {
    let pid: Int32
    let uid: UInt32
    let gid: UInt32

    /// Reads the peer's credentials from an accepted Unix-socket channel.
    static func of(_ channel: any Channel) async throws -> PeerCredentials {
        guard let provider = channel as? any SocketOptionProvider else { throw ControlError.noPeerCredentials }
        let credentials: LinuxPeerCredentials = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(LinuxPeerCredentials.option)
        ).get()
        return PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
    }

    /// The policy: root, our own user, or the `group` group (as primary or supplementary group of the peer's user).
    func isAllowed(serviceUID: UInt32, group: String = ControlSocket.groupName) -> Bool {
        if uid == 0 || uid == serviceUID { return true }
        guard let groupID = UserDatabase.groupID(named: group) else { return false }
        if gid == groupID { return true }
        guard let account = UserDatabase.account(uid: uid) else { return false }
        return UserDatabase.groups(of: account).contains(groupID)
    }
}

/// Refuses control requests from peers outside the policy of `PeerCredentials.isAllowed`.
struct PeerCredentialMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext
    let serviceUID: UInt32

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let peer = try await PeerCredentials.of(context.channel)
        guard peer.isAllowed(serviceUID: serviceUID) else {
            context.logger.warning("refused control request", metadata: ["uid": "\(peer.uid)", "pid": "\(peer.pid)"])
            return ControlResponse.error(
                .forbidden, "permission denied: add yourself to group \(ControlSocket.groupName)")
        }
        return try await next(request, context)
    }
}

/// The layout of Linux's `struct ucred` (pid_t, uid_t, gid_t), which Swift's Glibc module does not export
/// (it needs _GNU_SOURCE). SO_PEERCRED is 17 on every Linux architecture.
struct LinuxPeerCredentials: Sendable {
    static let option: Int32 = 17
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
