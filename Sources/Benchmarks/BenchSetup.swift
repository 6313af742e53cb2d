import Foundation
import NIOCore
public import NIOPosix

/// Where the benchmark finds `olafd`, its keys, and its event loops.
public struct BenchSetup: Sendable {
    public let olafd: String
    public let keyCache: KeyCache
    public let group: MultiThreadedEventLoopGroup

    /// `olafd` defaults to the one next to this executable (`.build/release/olafd` beside
    /// `.build/release/olaf-bench`). Raises the open-file limit.
    public init(olafd: String?, keyCache: String?) throws {
        let path =
            olafd
            ?? ((Self.ownExecutable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("olafd")
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError.connectFailed(
                "no olafd at \(path): build it (swift build -c release --product olafd) or pass --olafd")
        }
        self.olafd = path
        self.keyCache = KeyCache(directory: keyCache)
        group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let limit = ProcessStats.raiseOpenFileLimit()
        if limit < 25_000 { print("note: open-file limit is \(limit); connection-scale runs need ~10,100") }
    }

    /// This executable's path.
    public static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    public func shutdown() async { try? await group.shutdownGracefully() }
}
