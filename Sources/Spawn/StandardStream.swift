/// Where one of a child's standard streams (0, 1, 2) goes.
public enum StandardStream: Sendable, Equatable {
    /// The parent's own stream.
    case inherit
    /// `/dev/null`.
    case null
    /// This open descriptor of the parent (duplicated onto the stream in the child; the parent keeps its copy).
    case descriptor(Int32)
}
