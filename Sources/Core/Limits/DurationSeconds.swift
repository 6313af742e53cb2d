extension Duration {
    /// The duration in seconds, fractions included (for rates, deadlines as `Date`s and the like).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
