import Testing

/// The issue 7 attack suite (docs/attack-suite.md). Its suites run one test at a time (alongside the rest of the
/// test run): they start olafd processes, floods and large payloads, and run in parallel with each other they
/// added enough load to push unrelated servers' graceful shutdowns past TestServer's 15 s bound on a busy machine.
@Suite("Attack suite", .serialized)
enum AttackSuite {}
