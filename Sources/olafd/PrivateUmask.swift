#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// olafd runs with umask 077 whatever it inherits (the unit sets `UMask=0077`; a shell may hand down 000): every
/// file and socket it creates starts private, so the control socket is never reachable by others between its
/// bind and the `chmod 0660` that opens it to group `olafd`, and nothing in the state directory is born world-
/// readable. Files that must be shared are opened up explicitly afterwards.
enum PrivateUmask {
    static let mode: mode_t = 0o077

    /// Sets the process umask to `mode` (it only ever narrows: group and others lose every permission bit).
    static func apply() {
        let inherited = umask(mode)
        _ = umask(inherited | mode)
    }
}
