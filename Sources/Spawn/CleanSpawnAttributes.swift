#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `posix_spawn` attributes every child gets: an empty signal mask and every signal's disposition reset
/// to its default.
///
/// Why: a child inherits the signal mask of the thread that spawns it, and ignored signals stay ignored
/// across `exec`. Swift's worker threads (Dispatch's, those the concurrency runtime runs on) block signals
/// such as SIGALRM and SIGTERM; a child spawned from one of them with that mask never sees the alarm
/// `openssl speed` ends each measurement with (it ran for 11 minutes at 100 % CPU) and ignores SIGTERM.
/// `POSIX_SPAWN_SETSIGMASK` with an empty set and `POSIX_SPAWN_SETSIGDEF` with a full set give the child a
/// clean state, whatever thread spawns it.
enum CleanSpawnAttributes {
    /// Runs `body` with initialised attributes, destroyed afterwards.
    static func with<R>(_ body: (UnsafePointer<posix_spawnattr_t>) throws(SpawnError) -> R) throws(SpawnError) -> R {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return try body(&attributes)
    }
}
