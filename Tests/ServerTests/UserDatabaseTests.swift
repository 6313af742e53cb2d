import Foundation
import Testing

@testable import Server

/// Issue 15, item 6: user and group lookups through the reentrant `_r` functions, safe from many threads at once.
@Suite("User database: reentrant lookups")
struct UserDatabaseTests {
    @Test("root and nobody are found with their groups; unknown names and ids are nil")
    func lookups() {
        #expect(UserDatabase.account(uid: 0) == UserDatabase.Account(name: "root", primaryGroup: 0))
        #expect(UserDatabase.groupID(named: "root") == 0)
        #expect(UserDatabase.account(uid: 65534)?.name == "nobody")
        #expect(UserDatabase.account(uid: 4_000_000_000) == nil)
        #expect(UserDatabase.groupID(named: "no-such-group-olaf") == nil)
        #expect(UserDatabase.groups(of: UserDatabase.Account(name: "root", primaryGroup: 0)).contains(0))
        #expect(PeerCredentials(pid: 1, uid: 65534, gid: 65534).isAllowed(serviceUID: 12345, group: "root") == false)
        #expect(PeerCredentials(pid: 1, uid: 65534, gid: 0).isAllowed(serviceUID: 12345, group: "root"))
    }

    @Test("lookups from many threads at once all agree (the plain getpwuid shares one buffer per process)")
    func concurrentLookups() async {
        let names: [uid_t: String] = [0: "root", 65534: "nobody"]
        let disagreements = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    // Plain threads would do too; tasks on the pool interleave the lookups just as well.
                    var wrong = 0
                    for round in 0..<500 {
                        let uid: uid_t = (worker + round) % 2 == 0 ? 0 : 65534
                        if UserDatabase.account(uid: uid)?.name != names[uid] { wrong += 1 }
                        if UserDatabase.groupID(named: "root") != 0 { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(disagreements == 0)
    }
}
