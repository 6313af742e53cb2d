import Foundation
import Hummingbird

/// The browser UI's static files (HTML, CSS, JS shipped as package resources), loaded once at start.
public struct UIAssets: Sendable {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    private let files: [String: Asset]

    public enum LoadError: Error, CustomStringConvertible {
        case missing(String)
        public var description: String {
            "the UI files are missing (\(self.detail)); reinstall olaf-client or set OLAF_CLIENT_UI_DIR"
        }
        var detail: String {
            switch self {
            case .missing(let path): path
            }
        }
    }

    /// The folder an installed olaf-client reads its UI from, relative to its binary: `/usr/bin/olaf-client`
    /// reads `/usr/share/olaf-client/ui` (the Debian package installs the files there).
    public static let installedRelativePath = "../share/olaf-client/ui"

    /// Where the UI files are, first match wins: `$OLAF_CLIENT_UI_DIR`; `installedRelativePath` beside the
    /// executable when that folder has an `index.html`; nil for the SwiftPM resource bundle (a build tree, or a
    /// release build with `olaf_Client.resources` beside the binary). The bundle is not touched here: SwiftPM's
    /// `Bundle.module` stops the process when it finds no bundle, so an installed binary must never reach it.
    public static func locate(environment: [String: String], executablePath: String) -> String? {
        if let directory = environment["OLAF_CLIENT_UI_DIR"], !directory.isEmpty { return directory }
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().appendingPathComponent(installedRelativePath)
            .standardizedFileURL
        if FileManager.default.fileExists(atPath: installed.appendingPathComponent("index.html").path) {
            return installed.path
        }
        return nil
    }

    /// Loads `index.html`, `app.js` and `style.css` from `directory`, or from the package resources.
    public static func load(directory: String? = nil) throws -> UIAssets {
        let base =
            directory.map { URL(fileURLWithPath: $0) }
            ?? Bundle.module.resourceURL!.appendingPathComponent("ui")
        var files: [String: Asset] = [:]
        for (name, type) in [
            ("index.html", "text/html; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"), ("icon.svg", "image/svg+xml"),
        ] {
            let url = base.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: url) else { throw LoadError.missing(url.path) }
            files["/" + name] = Asset(bytes: Array(data), contentType: type)
        }
        files["/"] = files["/index.html"]
        return UIAssets(files: files)
    }

    /// The response for `path`, or nil when there is no such file.
    func response(for path: String) -> Response? {
        guard let asset = files[path] else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.bytes.count)
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    var paths: [String] { Array(files.keys) }
}
