import Glibc

/// The datagram address `NOTIFY_SOCKET` names: a file-system path (`/run/systemd/notify`) or an abstract-namespace
/// name (`@name`, sent as a leading NUL byte followed by the name).
///
/// Lengths follow systemd's `sockaddr_un_set_path`: a path is passed with its terminating NUL, an abstract name
/// without one (every byte of an abstract address is significant, so a trailing NUL would name another socket).
struct NotifySocketAddress: Sendable, Equatable {
    /// Why a `NOTIFY_SOCKET` value cannot be used.
    enum Problem: Error, Equatable, CustomStringConvertible {
        case notAbsoluteOrAbstract
        case emptyAbstractName
        case containsNUL
        case tooLong(bytes: Int, maximum: Int)

        var description: String {
            switch self {
            case .notAbsoluteOrAbstract: "NOTIFY_SOCKET is neither an absolute path nor an abstract name (@…)"
            case .emptyAbstractName: "NOTIFY_SOCKET is '@' with no abstract name"
            case .containsNUL: "NOTIFY_SOCKET contains a NUL byte"
            case .tooLong(let bytes, let maximum):
                "NOTIFY_SOCKET is \(bytes) bytes, at most \(maximum) fit in sockaddr_un"
            }
        }
    }

    /// Capacity of `sockaddr_un.sun_path` (108 on Linux).
    static let sunPathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    /// Offset of `sun_path` inside `sockaddr_un`.
    static let sunPathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2

    /// The bytes placed in `sun_path`: the path, or NUL + abstract name. Never a trailing NUL.
    let pathBytes: [UInt8]

    /// Whether this is an abstract-namespace address.
    var isAbstract: Bool { pathBytes.first == 0 }

    /// The address length passed to `sendto`.
    var length: Int { Self.sunPathOffset + pathBytes.count + (isAbstract ? 0 : 1) }

    /// Parses a `NOTIFY_SOCKET` value.
    init(parsing value: String) throws(Problem) {
        let utf8 = Array(value.utf8)
        guard !utf8.contains(0) else { throw .containsNUL }
        switch utf8.first {
        case UInt8(ascii: "/"):
            // Room must remain for the terminating NUL.
            let maximum = Self.sunPathCapacity - 1
            guard utf8.count <= maximum else { throw .tooLong(bytes: utf8.count, maximum: maximum) }
            pathBytes = utf8
        case UInt8(ascii: "@"):
            guard utf8.count > 1 else { throw .emptyAbstractName }
            // The '@' becomes the leading NUL, so the byte count is unchanged.
            let maximum = Self.sunPathCapacity
            guard utf8.count <= maximum else { throw .tooLong(bytes: utf8.count, maximum: maximum) }
            pathBytes = [0] + utf8.dropFirst()
        default:
            throw .notAbsoluteOrAbstract
        }
    }

    /// Calls `body` with this address as a `sockaddr` pointer and its length.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: pathBytes)
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(length)) }
        }
    }
}
