import OlafTestSupport
import NIOCore

/// ByteBuffers for tests that feed the file store directly.
enum ByteBufferMaker {
    static func make(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}
