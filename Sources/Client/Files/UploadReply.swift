public import Core
import Foundation

/// Reads the `file_url` from an upload reply (interop rule 9): `{"file_url": ...}` at the top level, or inside
/// `{"response": {"body": {"file_url": ...}}}`; a URL without a scheme gets the file API's scheme, and a
/// path alone gets the file API's host. Only http(s) URLs are accepted.
public enum UploadReply {
    /// The file URL in a reply from the home server's own file API.
    public static func fileURL(from body: [UInt8], home: ServerAddress) throws(UploadError) -> String {
        try fileURL(from: body, fileAPI: FileAPIBase(home: home))
    }

    /// The file URL in a reply from the file API at `fileAPI`.
    public static func fileURL(from body: [UInt8], fileAPI: FileAPIBase) throws(UploadError) -> String {
        let home = fileAPI.server
        let value: JSONValue
        do {
            value = try JSONParser.parse(body, limits: JSONLimits(maxDepth: 8, maxStringBytes: 8192))
        } catch {
            throw .badReply("not JSON (\(error))")
        }
        let found =
            value.objectValue?["file_url"]?.stringValue
            ?? value.objectValue?["response"]?.objectValue?["body"]?.objectValue?["file_url"]?.stringValue
        guard let raw = found?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
            throw .badReply("no file_url in the reply")
        }
        let absolute: String
        let lowered = raw.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            absolute = raw
        } else if raw.hasPrefix("/") {
            absolute = home.httpBase + raw
        } else if raw.contains("://") {
            throw .badReply("file_url has an unsupported scheme")
        } else {
            absolute = (home.usesTLS ? "https://" : "http://") + raw
        }
        guard FileLinkDetector.link(in: absolute) != nil else { throw .badReply("file_url is not a usable URL") }
        return absolute
    }
}
