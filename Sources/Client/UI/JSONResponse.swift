import Foundation
import Hummingbird

/// JSON bodies for the UI API (Foundation's encoder; the data are our own values, never raw network text as
/// HTML).
enum JSONResponse {
    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return Response(status: .internalServerError) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Encodable {
        let error: String
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        encode(ErrorBody(error: message), status: status)
    }

    /// Decodes a JSON request body of at most `limit` bytes; 400/413 with a message otherwise.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = 256 * 1024) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw HTTPError(.contentTooLarge, message: "request body over \(limit) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "malformed JSON request: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
        default: "not valid JSON"
        }
    }
}
