/// An invariant a harness checks beyond "does not crash" (e.g. a parse → write → parse round trip) failed.
public struct FuzzFinding: Error, CustomStringConvertible {
    public let harness: FuzzHarness
    public let description: String

    init(_ harness: FuzzHarness, _ description: String) {
        self.harness = harness
        self.description = description
    }
}

/// The fuzz targets: each takes one input of arbitrary bytes, must never crash, hang or grow memory without
/// bound, and throws `FuzzFinding` when a checked invariant fails.
public enum FuzzHarness: String, CaseIterable, Sendable {
    /// `OlafMessageDecoder.decode` with both object-data policies, then what a client and a relaying server do with
    /// the frame before any storage (signature check, sender check, chat opening, client list walk).
    case frame
    /// Decode + `SignedEnvelope.isSigned(by:)` / `verifySignature(with:)` with a fixed key, and the
    /// envelope → frame text → envelope round trip.
    case envelope
    /// `ChatCipher.open` with a fixed private key on structured fields (see `ChatHarness`).
    case chat
    /// `MultipartParser` fed in fuzzer-chosen chunk sizes, checked against a one-chunk parse.
    case multipart
    /// The control API request parsers (`ControlRequests`).
    case control
    /// `JSONParser` with the parse → write → parse round trip (compact and Python layouts).
    case json
    /// `ServerAddress(parsing:)` and the stability of its canonical form.
    case address
    /// The configuration file's `TOMLSubset` parser.
    case toml

    /// Runs one input. Throws only for a failed invariant; parse errors are the expected outcome of most inputs.
    public func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        switch self {
        case .frame: try FrameHarness.run(input)
        case .envelope: try EnvelopeHarness.run(input)
        case .chat: try ChatHarness.run(input)
        case .multipart: try MultipartHarness.run(input)
        case .control: try ControlHarness.run(input)
        case .json: try JSONHarness.run(input)
        case .address: try AddressHarness.run(input)
        case .toml: try TOMLHarness.run(input)
        }
    }

    /// Runs one input given as bytes.
    public func run(_ input: [UInt8]) throws(FuzzFinding) {
        var finding: FuzzFinding?
        input.withUnsafeBytes { bytes in
            do throws(FuzzFinding) { try run(bytes) } catch { finding = error }
        }
        if let finding { throw finding }
    }

    /// The `-max_len` libFuzzer should use: large enough for the seeds, small enough to stay fast.
    public var maxLength: Int {
        switch self {
        case .frame, .envelope: 16_384
        case .chat: 4096
        case .multipart: 8192
        case .control: 4096
        case .json: 4096
        case .address: 512
        case .toml: 4096
        }
    }
}
