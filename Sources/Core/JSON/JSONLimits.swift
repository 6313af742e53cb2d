/// Resource limits enforced while parsing untrusted JSON. The total size is checked first.
public struct JSONLimits: Sendable, Equatable {
    /// Maximum nesting of arrays/objects: a top-level scalar has depth 0, `[]` depth 1, `[[]]` depth 2.
    ///
    /// The parser itself never recurses, but releasing, comparing and writing a `JSONValue` recurse
    /// once per level, so keep this modest (a few thousand at most; hostile input never needs more than the default).
    public var maxDepth: Int
    /// Maximum UTF-8 bytes of any single decoded string (keys included).
    public var maxStringBytes: Int
    /// Maximum elements of one array or members of one object.
    public var maxContainerCount: Int
    /// Maximum size of the whole input in bytes.
    public var maxTotalBytes: Int

    public init(
        maxDepth: Int = 32,
        maxStringBytes: Int = 1 << 20,
        maxContainerCount: Int = 10_000,
        maxTotalBytes: Int = 1 << 20
    ) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxContainerCount = maxContainerCount
        self.maxTotalBytes = maxTotalBytes
    }

    /// Depth 32, 1 MiB strings, 10 000 elements per container, 1 MiB input.
    public static let `default` = JSONLimits()
}
