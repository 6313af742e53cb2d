import ServiceLifecycle

/// Sends the `client_list` answers that `RelayHub.answerClientListRequest` deferred (a client asking more often
/// than `limits.list_answers_per_second`), each once its interval has passed.
struct ListAnswerService: Service {
    let hub: RelayHub

    func run() async throws {
        for await _ in hub.owedListAnswerSignals.cancelOnGracefulShutdown() {
            while let due = await hub.answerDueListRequests() {
                guard (try? await Task.sleep(until: due, clock: .continuous)) != nil else { return }
            }
        }
    }
}
