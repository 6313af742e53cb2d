#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The child's standard streams as `posix_spawn` file actions, and every other descriptor closed.
enum SpawnFileActions {
    static func with<R>(
        standardInput: StandardStream, standardOutput: StandardStream, standardError: StandardStream,
        _ body: (UnsafePointer<posix_spawn_file_actions_t>) throws(SpawnError) -> R
    ) throws(SpawnError) -> R {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(standardInput, Int32(0)), (standardOutput, 1), (standardError, 2)] {
            switch stream {
            case .inherit: break
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let descriptor):
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        _ = addCloseFrom?(&actions, 3)
        return try body(&actions)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Debian 12 has 2.36): closes every
    /// descriptor from the given one up in the child. Swift does not see its declaration (it needs
    /// `_GNU_SOURCE`), so it is looked up at run time; without it only close-on-exec descriptors are closed.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}
