import Server

/// The configuration file's TOML subset parser (input decoded as UTF-8 with repair, as the file loader does).
enum TOMLHarness {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        _ = try? TOMLSubset.parse(String(decoding: input, as: UTF8.self))
    }
}
