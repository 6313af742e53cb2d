/// Settings of the on-disk file store behind `POST /api/upload` and `GET /api/files/...`.
public struct FileStoreConfiguration: Sendable, Equatable {
    /// Root folder; the store uses `<directory>/tmp` (partial uploads) and `<directory>/files` (complete files).
    public var directory: String
    /// Largest accepted file, in bytes (larger → 413).
    public var maxUploadBytes: Int64
    /// Cap on the sum of all stored file sizes, in bytes (exceeding it → 507).
    public var maxTotalBytes: Int64
    /// How long a file is kept after upload; nil keeps files until removed.
    public var retention: Duration?
    /// Absolute base URL clients reach this server's HTTP API at, e.g. `https://chat.example.org:8443`.
    /// A trailing slash is ignored. `file_url`s are `<publicBaseURL>/api/files/<id>/<name>`.
    public var publicBaseURL: String

    /// Creates a configuration.
    public init(
        directory: String, maxUploadBytes: Int64, maxTotalBytes: Int64, retention: Duration?, publicBaseURL: String
    ) {
        self.directory = directory
        self.maxUploadBytes = maxUploadBytes
        self.maxTotalBytes = maxTotalBytes
        self.retention = retention
        self.publicBaseURL = publicBaseURL
    }
}
