import Foundation
import OlafCrypto
import Spawn
import Synchronization

/// Upload and download throughput of olafd's file endpoints, driven by curl (one process per batch, so
/// process start-up is not timed per file), with the server's peak RSS growth.
public struct FileBenchmark: Sendable {
    public var fileBytes = 1 << 20
    public var fileCount = 100

    public init() {}

    public struct Result: Sendable {
        public var uploadSeconds: Double
        public var downloadSeconds: Double
        public var totalBytes: Int
        public var rssBefore: Int
        public var rssPeak: Int

        public var uploadMBps: Double { Double(totalBytes) / uploadSeconds / 1e6 }
        public var downloadMBps: Double { Double(totalBytes) / downloadSeconds / 1e6 }
        public var rssGrowthMB: Double { Double(rssPeak - rssBefore) / 1e6 }
    }

    /// Server flags the file benchmark needs (uploads up to 2 GiB).
    public static let serverFlags = ["--max-upload-bytes", "2147483648"]

    /// Writes the test file (random bytes) into `directory`; returns its path.
    public func prepare(directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent("upload-\(fileBytes).bin")
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, size == fileBytes {
            return path
        }
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var remaining = fileBytes
        while remaining > 0 {
            // Fresh random bytes per MiB (so nothing on the way can compress or deduplicate them).
            let block = try SecureRandom.bytes(min(fileBytes, 1 << 20))
            let count = min(remaining, block.count)
            try handle.write(contentsOf: block[..<count])
            remaining -= count
        }
        try handle.close()
        return path
    }

    public func run(file: String, server: OlafdInstance, scratch: String) throws -> Result {
        let sampler = RSSSampler(pid: server.pid)
        let rssBefore = ProcessStats.residentBytes(pid: server.pid)
        sampler.start()
        defer { sampler.stop() }
        // Uploads: one curl, `fileCount` transfers, each answering {"file_url": ...} on its own line.
        var uploadConfig = ""
        for index in 0..<fileCount {
            if index > 0 { uploadConfig += "next\n" }
            uploadConfig += """
                url = "http://\(server.address)/api/upload"
                upload-file = "\(file)"
                request = "POST"
                header = "Content-Type: application/octet-stream"
                header = "Expect:"
                silent
                write-out = "\\n"

                """
        }
        let uploadStart = ContinuousClock.now
        let uploadOutput = try Self.curl(config: uploadConfig, scratch: scratch)
        let uploadSeconds = (ContinuousClock.now - uploadStart).seconds
        let urls = uploadOutput.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "\"file_url\"") else { return nil }
            let rest = line[range.upperBound...].drop { $0 == ":" || $0 == " " || $0 == "\"" }
            return rest.split(separator: "\"").first.map(String.init)
        }
        guard urls.count == fileCount else {
            throw BenchError.verificationFailed(
                "\(urls.count) of \(fileCount) uploads answered a file_url: \(uploadOutput.prefix(300))")
        }
        var downloadConfig = ""
        for (index, url) in urls.enumerated() {
            if index > 0 { downloadConfig += "next\n" }
            downloadConfig +=
                "url = \"\(url)\"\noutput = \"/dev/null\"\nsilent\nfail\nwrite-out = \"%{size_download}\\n\"\n"
        }
        let downloadStart = ContinuousClock.now
        let downloadOutput = try Self.curl(config: downloadConfig, scratch: scratch)
        let downloadSeconds = (ContinuousClock.now - downloadStart).seconds
        let sizes = downloadOutput.split(separator: "\n").compactMap { Int($0) }
        guard sizes.count == fileCount, sizes.allSatisfy({ $0 == fileBytes }) else {
            throw BenchError.verificationFailed("downloads returned sizes \(sizes.prefix(5))… not \(fileBytes)")
        }
        sampler.stop()
        return Result(
            uploadSeconds: uploadSeconds, downloadSeconds: downloadSeconds, totalBytes: fileBytes * fileCount,
            rssBefore: rssBefore, rssPeak: max(sampler.peak, rssBefore))
    }

    private static func curl(config: String, scratch: String) throws -> String {
        let configPath = (scratch as NSString).appendingPathComponent("curl-\(UUID().uuidString).conf")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: configPath) }
        let result = try ChildProcess.run("/usr/bin/curl", ["--config", configPath])
        guard result.termination == .exited(0) else {
            throw BenchError.verificationFailed("curl exited \(result.termination.code): \(result.errorText.suffix(500))")
        }
        return result.outputText
    }
}

/// Samples a process's RSS every 10 ms on its own thread and keeps the peak.
final class RSSSampler: Sendable {
    private let pid: Int32
    private let peakBytes = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    init(pid: Int32) { self.pid = pid }

    var peak: Int { peakBytes.load(ordering: .relaxed) }

    func start() {
        Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let rss = ProcessStats.residentBytes(pid: pid)
                if rss > peakBytes.load(ordering: .relaxed) { peakBytes.store(rss, ordering: .relaxed) }
                usleep(10_000)
            }
        }.start()
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        usleep(20_000)
    }
}
