import NIOCore
import NIOWebSocket
import Testing
import Transport

/// The outbox's rules without a channel: batching, the byte bound, closing, the peer's close.
@Suite("OutboxStateMachine: batches, the byte bound, closes")
struct OutboxStateMachineTests {
    private static func frame(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("the first frame of a burst schedules one flush; the flush takes the whole burst in order")
    func burstIsOneBatch() {
        var machine = OutboxStateMachine(byteCapacity: 1000)
        #expect(machine.enqueue(Self.frame("a")) == .queuedScheduleFlush)
        #expect(machine.enqueue(Self.frame("bb")) == .queued)
        #expect(machine.enqueue(Self.frame("ccc")) == .queued)
        #expect(machine.flush() == .write([Self.frame("a"), Self.frame("bb"), Self.frame("ccc")], bytes: 6))
        #expect(machine.unsentBytes == 6)
        #expect(machine.enqueue(Self.frame("d")) == .queuedScheduleFlush)
        machine.writesCompleted(bytes: 6)
        #expect(machine.unsentBytes == 1)
    }

    @Test("bytes count until the socket took them: past the bound the peer is full, not before")
    func byteBoundCountsInFlight() {
        var machine = OutboxStateMachine(byteCapacity: 10)
        #expect(machine.enqueue(Self.frame("123456")) == .queuedScheduleFlush)
        #expect(machine.flush() == .write([Self.frame("123456")], bytes: 6))
        // Written but not completed: still counts.
        #expect(machine.enqueue(Self.frame("12345")) == .full)
        #expect(machine.enqueue(Self.frame("1234")) == .queuedScheduleFlush)
        #expect(machine.enqueue(Self.frame("1")) == .full)
        machine.writesCompleted(bytes: 6)
        #expect(machine.enqueue(Self.frame("1")) == .queued)
        #expect(machine.unsentBytes == 5)
    }

    @Test("an empty outbox takes one frame larger than the bound")
    func oversizedFrameIntoEmptyOutbox() {
        var machine = OutboxStateMachine(byteCapacity: 4)
        #expect(machine.enqueue(Self.frame("larger than four")) == .queuedScheduleFlush)
        #expect(machine.enqueue(Self.frame("x")) == .full)
    }

    @Test("while not writable frames wait; writability releases them in one batch")
    func writabilityGatesWrites() {
        var machine = OutboxStateMachine(byteCapacity: 100)
        #expect(machine.writabilityChanged(isWritable: false) == .none)
        #expect(machine.enqueue(Self.frame("a")) == .queued)
        #expect(machine.enqueue(Self.frame("b")) == .queued)
        #expect(machine.flush() == .none)
        #expect(machine.queuedFrames == 2)
        #expect(machine.writabilityChanged(isWritable: true) == .write([Self.frame("a"), Self.frame("b")], bytes: 2))
        #expect(machine.queuedFrames == 0)
    }

    @Test("a close writes the queued frames (writable or not) then the close frame; later frames are refused")
    func closeWritesQueueFirst() {
        var machine = OutboxStateMachine(byteCapacity: 100)
        _ = machine.writabilityChanged(isWritable: false)
        _ = machine.enqueue(Self.frame("queued"))
        let request = CloseRequest(code: .policyViolation, reason: "bye")
        #expect(machine.requestClose(request) == .scheduleClose)
        #expect(machine.requestClose(CloseRequest(code: .goingAway, reason: "second")) == .none)
        #expect(machine.enqueue(Self.frame("late")) == .closed)
        #expect(machine.closeRequest == request)
        #expect(machine.writeClose() == .write([Self.frame("queued")], bytes: 6, then: request))
        #expect(machine.state == .closeWritten(request))
        #expect(machine.writeClose() == .none)
        #expect(machine.peerClosed(code: .policyViolation) == .closeSocket)
        #expect(machine.state == .ended)
    }

    @Test("a peer's close is answered with its own code (1000 when it gave none); queued frames are dropped")
    func peerCloseIsAnswered() {
        var machine = OutboxStateMachine(byteCapacity: 100)
        _ = machine.enqueue(Self.frame("never sent"))
        #expect(machine.peerClosed(code: .goingAway) == .answerThenCloseSocket(CloseRequest(code: .goingAway, reason: "")))
        #expect(machine.unsentBytes == 0)
        #expect(machine.enqueue(Self.frame("late")) == .closed)
        #expect(machine.peerClosed(code: nil) == .none)
        var silent = OutboxStateMachine(byteCapacity: 100)
        #expect(silent.peerClosed(code: nil) == .answerThenCloseSocket(CloseRequest(code: .normalClosure, reason: "")))
    }

    @Test("kill drops the queue once; a killed outbox refuses frames")
    func killEnds() {
        var machine = OutboxStateMachine(byteCapacity: 100)
        _ = machine.enqueue(Self.frame("dropped"))
        let first = machine.kill()
        let second = machine.kill()
        #expect(first)
        #expect(!second)
        #expect(machine.unsentBytes == 0)
        #expect(machine.enqueue(Self.frame("late")) == .closed)
        #expect(machine.requestClose(CloseRequest(code: .goingAway, reason: "x")) == .none)
    }

    @Test("a close reason is cut to what a close frame carries, at a character boundary")
    func closeReasonFits() {
        let request = CloseRequest(code: .policyViolation, reason: String(repeating: "é", count: 100))
        #expect(request.reason.utf8.count <= CloseRequest.maxReasonBytes)
        #expect(request.reason.utf8.count == 122)
    }
}
