#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a child run to completion printed, and how it ended.
public struct ChildOutput: Sendable {
    public let termination: Termination
    public let standardOutput: [UInt8]
    public let standardError: [UInt8]

    /// Standard output as UTF-8 text (invalid bytes replaced).
    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
    /// Standard error as UTF-8 text (invalid bytes replaced).
    public var errorText: String { String(decoding: standardError, as: UTF8.self) }
}

extension ChildProcess {
    /// Runs `executable` to completion and collects its standard output and error (both read at once, so a
    /// child filling one pipe never stalls). Blocking: call it off Swift's concurrency pool.
    /// - Parameter timeout: when given, a child still running then is killed (SIGKILL) and `.timedOut` thrown.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        timeout: Duration? = nil
    ) throws(SpawnError) -> ChildOutput {
        let output = try Pipe()
        let errors = try Pipe()
        let child: ChildProcess
        do {
            child = try spawn(
                executable, arguments, environment: environment, standardOutput: .descriptor(output.write),
                standardError: .descriptor(errors.write))
        } catch {
            output.closeBoth()
            errors.closeBoth()
            throw error
        }
        close(output.write)
        close(errors.write)
        defer {
            close(output.read)
            close(errors.read)
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var collected: [[UInt8]] = [[], []]
        var open = [output.read, errors.read]
        while open.contains(where: { $0 >= 0 }) {
            var waitMilliseconds: Int32 = -1
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero {
                    child.send(SIGKILL)
                    child.wait()
                    throw .timedOut(executable: executable, seconds: Double(timeout?.components.seconds ?? 0))
                }
                waitMilliseconds = Int32(clamping: left.components.seconds * 1000 + 1)
            }
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), waitMilliseconds) >= 0 || errno == EINTR else { break }
            for index in open.indices where open[index] >= 0 && polled[index].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = buffer.withUnsafeMutableBytes { read(open[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[index] = -1
                }
            }
        }
        let termination: Termination
        if let timeout {
            guard let done = child.wait(timeout: max(.zero, (deadline ?? .now) - .now) + .milliseconds(100)) else {
                child.send(SIGKILL)
                child.wait()
                throw .timedOut(executable: executable, seconds: Double(timeout.components.seconds))
            }
            termination = done
        } else {
            termination = child.wait()
        }
        return ChildOutput(termination: termination, standardOutput: collected[0], standardError: collected[1])
    }
}

/// A close-on-exec pipe (the child gets its end by dup2, which clears the flag on the copy).
private struct Pipe {
    let read: Int32
    let write: Int32

    init() throws(SpawnError) {
        var descriptors: [Int32] = [-1, -1]
        // pipe2(O_CLOEXEC) is not visible to Swift here; a child spawned in between is safe anyway, as
        // SpawnFileActions closes every descriptor above 2 in each child.
        guard pipe(&descriptors) == 0 else { throw .pipeFailed(errno: errno) }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        read = descriptors[0]
        write = descriptors[1]
    }

    func closeBoth() {
        close(read)
        close(write)
    }
}
