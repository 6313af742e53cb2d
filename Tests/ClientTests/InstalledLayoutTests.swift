import Client
import Foundation
import Testing

/// What an installed olaf-client (Debian package, systemd user unit) relies on: the UI files found under
/// `/usr/share/olaf-client/ui` relative to the binary, and the UI URL kept in a 0600 file for `olaf-client url`.
@Suite("installed olaf-client layout")
struct InstalledLayoutTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("olaf-layout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("UI files: $OLAF_CLIENT_UI_DIR first, then ../share/olaf-client/ui beside the binary, else the bundle")
    func locateUI() throws {
        let prefix = try Self.temporaryDirectory()
        let binary = prefix + "/usr/bin/olaf-client"
        try FileManager.default.createDirectory(atPath: prefix + "/usr/bin", withIntermediateDirectories: true)
        try #require(FileManager.default.createFile(atPath: binary, contents: Data()))
        // Nothing installed beside the binary: nil, i.e. the SwiftPM resource bundle (a build tree).
        #expect(UIAssets.locate(environment: [:], executablePath: binary) == nil)
        let installed = prefix + "/usr/share/olaf-client/ui"
        try FileManager.default.createDirectory(atPath: installed, withIntermediateDirectories: true)
        #expect(UIAssets.locate(environment: [:], executablePath: binary) == nil, "a folder without index.html")
        try #require(FileManager.default.createFile(atPath: installed + "/index.html", contents: Data("<!doctype html>".utf8)))
        #expect(UIAssets.locate(environment: [:], executablePath: binary) == installed)
        // A symlink to the binary (/usr/local/bin/olaf-client -> /usr/bin/olaf-client) finds the same files.
        try FileManager.default.createDirectory(atPath: prefix + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: prefix + "/elsewhere/olaf-client", withDestinationPath: binary)
        #expect(UIAssets.locate(environment: [:], executablePath: prefix + "/elsewhere/olaf-client") == installed)
        #expect(
            UIAssets.locate(environment: ["OLAF_CLIENT_UI_DIR": "/opt/ui"], executablePath: binary) == "/opt/ui")
        #expect(UIAssets.locate(environment: ["OLAF_CLIENT_UI_DIR": ""], executablePath: binary) == installed)
    }

    @Test("the package's UI files load from the installed layout")
    func loadInstalledCopy() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Client/Resources/ui").path
        let prefix = try Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: prefix + "/share/olaf-client", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: prefix + "/share/olaf-client/ui")
        let directory = try #require(UIAssets.locate(environment: [:], executablePath: prefix + "/bin/olaf-client"))
        _ = try UIAssets.load(directory: directory)
    }

    @Test("URL file: in $XDG_RUNTIME_DIR for the default data directory, in the data directory for --data-dir")
    func urlFileLocation() {
        let directory = DataDirectory(path: "/home/u/.local/share/olaf")
        #expect(
            UIURLFile.forDataDirectory(directory, explicit: false, environment: ["XDG_RUNTIME_DIR": "/run/user/1000"])
                == UIURLFile(path: "/run/user/1000/olaf-client/ui-url"))
        #expect(
            UIURLFile.forDataDirectory(directory, explicit: true, environment: ["XDG_RUNTIME_DIR": "/run/user/1000"])
                == UIURLFile(path: "/home/u/.local/share/olaf/ui-url"))
        #expect(
            UIURLFile.forDataDirectory(directory, explicit: false, environment: ["XDG_RUNTIME_DIR": "relative"])
                == UIURLFile(path: "/home/u/.local/share/olaf/ui-url"))
        #expect(
            UIURLFile.forDataDirectory(directory, explicit: false, environment: [:])
                == UIURLFile(path: "/home/u/.local/share/olaf/ui-url"))
    }

    @Test("URL file: written 0600 in a 0700 folder, read back, removed; none is 'not running'")
    func urlFileRoundTrip() throws {
        let runtime = try Self.temporaryDirectory()
        let file = UIURLFile.forDataDirectory(
            DataDirectory(path: runtime + "/data"), explicit: false, environment: ["XDG_RUNTIME_DIR": runtime])
        #expect(throws: UIURLFileError.notRunning(path: file.path)) { try file.read() }
        let url = "http://127.0.0.1:8765/#token=abc_DEF-123"
        try file.write(url)
        #expect(try file.read() == url)
        let fileMode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        let folderMode =
            try FileManager.default.attributesOfItem(atPath: runtime + "/olaf-client")[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        try file.write(url + "x")  // a restart replaces it
        #expect(try file.read() == url + "x")
        file.remove()
        #expect(throws: UIURLFileError.notRunning(path: file.path)) { try file.read() }
        #expect(!"\(UIURLFileError.notRunning(path: file.path))".contains("token"))
    }

    @Test("URL file: anything but a URL is refused, without echoing the content")
    func urlFileGarbage() throws {
        let runtime = try Self.temporaryDirectory()
        let file = UIURLFile(path: runtime + "/ui-url")
        try "secret-looking garbage\n".write(toFile: file.path, atomically: true, encoding: .utf8)
        do {
            _ = try file.read()
            Issue.record("garbage was accepted")
        } catch {
            #expect(!error.description.contains("secret-looking"))
        }
    }
}
