import OlafTestSupport
import Foundation
import Spawn
import Testing

extension AttackSuite {
    /// A state directory (or secret in it) that someone else could change or read stops olafd at start-up with a
    /// message that says what to fix, instead of serving with state it cannot trust.
    @Suite("Attack: unsafe state directory permissions", .timeLimit(.minutes(2)))
    struct AttackStatePermissionTests {
        /// Runs `olafd ARGUMENTS` (the server, or `key show`) and waits at most 30 s for it to exit; a server that
        /// starts despite the problem is killed and reported.
        private func runBriefly(_ arguments: [String]) async throws -> (status: Int32?, error: String) {
            let errorLog = NSTemporaryDirectory() + "olafd-briefly-\(UUID().uuidString).log"
            let log = open(errorLog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            defer {
                if log >= 0 { close(log) }
                unlink(errorLog)
            }
            let process = try ChildProcess.spawn(
                OlafdProcess.binary.path, arguments, standardOutput: .null,
                standardError: log >= 0 ? .descriptor(log) : .inherit)
            let exited = await waitUntil(timeout: .seconds(30)) { !process.isRunning }
            if !exited {
                process.send(SIGKILL)
                _ = await waitUntil { !process.isRunning }
            }
            // The process has exited (or was killed): its stderr file is complete.
            let text = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
            return (exited ? process.exited?.code : nil, text)
        }

        /// A fresh state directory (0700) with a key, created by `olafd key show`.
        private func stateWithKey() async throws -> String {
            let state = OlafdProcess.temporaryDirectory()
            let created = try await OlafdProcess.run(["key", "show", "--state-dir", state])
            try #require(created.status == 0, "\(created.error)")
            return state
        }

        private func serve(_ state: String) async throws -> (status: Int32?, error: String) {
            try await runBriefly(["--listen", "127.0.0.1:\(try TestPorts.free())", "--state-dir", state])
        }

        private func setMode(_ path: String, _ mode: mode_t) throws {
            try #require(chmod(path, mode) == 0)
        }

        private func keyFile(_ state: String) -> String { (state as NSString).appendingPathComponent("server-key.pem") }

        /// Expects olafd to refuse `state` naming `fragment` in its message, then (after `repair`) to accept it.
        private func expectRefused(
            _ state: String, saying fragment: String, repair: () throws -> Void,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let refused = try await serve(state)
            #expect(
                refused.status != nil && refused.status != 0, "olafd started anyway", sourceLocation: sourceLocation)
            #expect(refused.error.contains(fragment), "stderr: \(refused.error)", sourceLocation: sourceLocation)
            try repair()
            let shown = try await OlafdProcess.run(["key", "show", "--state-dir", state])
            #expect(shown.status == 0, "still refused after the repair: \(shown.error)", sourceLocation: sourceLocation)
        }

        @Test("a state directory writable by group or others: refused, the message says chmod 700")
        func groupOrWorldWritable() async throws {
            for mode: mode_t in [0o770, 0o707, 0o777] {
                let state = try await stateWithKey()
                try setMode(state, mode)
                try await expectRefused(state, saying: "chmod 700 \(state)") { try setMode(state, 0o700) }
            }
        }

        @Test("a key file readable by group or others: refused, the message says chmod 600")
        func keyFileReadable() async throws {
            for mode: mode_t in [0o640, 0o604, 0o644] {
                let state = try await stateWithKey()
                try setMode(keyFile(state), mode)
                try await expectRefused(state, saying: "chmod 600 \(keyFile(state))") {
                    try setMode(keyFile(state), 0o600)
                }
            }
        }

        @Test("a state path that is a file, or a symbolic link to elsewhere, is refused")
        func notARealDirectory() async throws {
            let file = OlafdProcess.temporaryDirectory() + "/not-a-directory"
            try "x".write(toFile: file, atomically: true, encoding: .utf8)
            let asFile = try await serve(file)
            #expect(asFile.status != nil && asFile.status != 0)
            #expect(asFile.error.contains("not a directory"), "\(asFile.error)")

            let real = try await stateWithKey()
            let link = OlafdProcess.temporaryDirectory() + "/state-link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
            let viaLink = try await serve(link)
            #expect(viaLink.status != nil && viaLink.status != 0)
            #expect(viaLink.error.contains("symbolic link") && viaLink.error.contains(real), "\(viaLink.error)")
        }

        @Test("a key file that is a symbolic link is refused")
        func keyFileSymlink() async throws {
            let state = try await stateWithKey()
            let elsewhere = OlafdProcess.temporaryDirectory() + "/server-key.pem"
            try FileManager.default.moveItem(atPath: keyFile(state), toPath: elsewhere)
            try FileManager.default.createSymbolicLink(atPath: keyFile(state), withDestinationPath: elsewhere)
            try await expectRefused(state, saying: "is a symbolic link") {
                try FileManager.default.removeItem(atPath: keyFile(state))
                try FileManager.default.moveItem(atPath: elsewhere, toPath: keyFile(state))
            }
        }

        /// Changing owners needs root (CI runs as root); as root, file modes alone would not stop olafd, so it
        /// compares owners explicitly.
        @Test(
            "a state directory or key file owned by another user is refused, naming the owner",
            .enabled(if: geteuid() == 0, "needs root to chown files to another user; CI runs as root"))
        func ownedByAnotherUser() async throws {
            let nobody: uid_t = 65534
            let state = try await stateWithKey()
            try #require(chown(state, nobody, gid_t(nobody)) == 0)
            try await expectRefused(state, saying: "owned by") { try #require(chown(state, 0, 0) == 0) }

            try #require(chown(keyFile(state), nobody, gid_t(nobody)) == 0)
            try await expectRefused(state, saying: "chown") { try #require(chown(keyFile(state), 0, 0) == 0) }
        }

        @Test("a fresh state directory is created 0700 and starts; 0755 (readable, not writable) is accepted")
        func defaultsStillWork() async throws {
            let state = OlafdProcess.temporaryDirectory() + "/fresh/state"
            let shown = try await OlafdProcess.run(["key", "show", "--state-dir", state])
            #expect(shown.status == 0, "\(shown.error)")
            let mode = try FileManager.default.attributesOfItem(atPath: state)[.posixPermissions] as? Int
            #expect(mode == 0o700)
            try setMode(state, 0o755)
            let port = try TestPorts.free()
            let server = try await OlafdProcess(port: port, stateDirectory: state)
            #expect(server.process.isRunning)
            _ = await server.stop()
        }
    }
}
