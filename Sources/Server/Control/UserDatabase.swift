#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The user and group database, through the reentrant `getpwuid_r`/`getgrnam_r`: the plain forms return pointers
/// into one static buffer per process, and olafd asks from several event-loop threads at once (every control
/// request checks its peer's groups).
enum UserDatabase {
    /// A user account: name and primary group.
    struct Account: Equatable {
        let name: String
        let primaryGroup: gid_t
    }

    /// The account of `uid`, or nil when there is none (or the database cannot be read).
    static func account(uid: uid_t) -> Account? {
        withGrowingBuffer { buffer -> (Int32, Account?) in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let status = getpwuid_r(uid, &entry, buffer.baseAddress!, buffer.count, &result)
            guard status == 0, result != nil, let name = entry.pw_name else { return (status, nil) }
            return (0, Account(name: String(cString: name), primaryGroup: entry.pw_gid))
        }
    }

    /// The id of the group called `name`, or nil when there is none.
    static func groupID(named name: String) -> gid_t? {
        withGrowingBuffer { buffer -> (Int32, gid_t?) in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            let status = getgrnam_r(name, &entry, buffer.baseAddress!, buffer.count, &result)
            guard status == 0, result != nil else { return (status, nil) }
            return (0, entry.gr_gid)
        }
    }

    /// Every group `account` belongs to (primary and supplementary), however many.
    static func groups(of account: Account) -> [gid_t] {
        var count: Int32 = 64
        for _ in 0..<8 {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var found = count
            if getgrouplist(account.name, account.primaryGroup, &groups, &found) >= 0 {
                return Array(groups.prefix(Int(found)))
            }
            // Too small: `found` now says how many there are.
            count = max(found, count * 2)
        }
        return [account.primaryGroup]
    }

    /// Runs a `_r` lookup with a buffer that grows (up to 1 MiB) while the lookup says ERANGE.
    private static func withGrowingBuffer<T>(
        _ lookup: (UnsafeMutableBufferPointer<CChar>) -> (Int32, T?)
    ) -> T? {
        var size = 1024
        while size <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: size)
            let (status, value) = buffer.withUnsafeMutableBufferPointer { lookup($0) }
            if status == ERANGE {
                size *= 4
                continue
            }
            return value
        }
        return nil
    }
}
