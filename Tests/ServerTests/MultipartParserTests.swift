import OlafTestSupport
import Foundation
import NIOCore
import Server
import Testing

/// Events with body chunks merged, so results can be compared independently of chunking.
enum ParsedEvent: Equatable, CustomStringConvertible {
    case headers(MultipartPartHeaders)
    case body([UInt8])
    case partEnd
    case end

    var description: String {
        switch self {
        case .headers(let headers): "headers(\(headers))"
        case .body(let bytes): "body(\(String(decoding: bytes, as: UTF8.self).debugDescription))"
        case .partEnd: "partEnd"
        case .end: "end"
        }
    }
}

/// Feeds `input` to a parser in chunks of `chunkSize` and returns the merged events, or the error.
func parse(
    _ input: [UInt8], boundary: String = "XyZ", chunkSize: Int,
    maxHeaderBytes: Int = MultipartParser.defaultMaxHeaderBytes
) -> Result<[ParsedEvent], MultipartError> {
    var events: [ParsedEvent] = []
    func record(_ event: MultipartEvent) {
        switch event {
        case .partHeaders(let headers): events.append(.headers(headers))
        case .body(let buffer):
            precondition(buffer.readableBytes > 0, "empty body chunk")
            if case .body(let previous) = events.last {
                events[events.count - 1] = .body(previous + Array(buffer.readableBytesView))
            } else {
                events.append(.body(Array(buffer.readableBytesView)))
            }
        case .partEnd: events.append(.partEnd)
        case .end: events.append(.end)
        }
    }
    do {
        var parser = try MultipartParser(boundary: boundary, maxHeaderBytes: maxHeaderBytes)
        var offset = 0
        while offset < input.count {
            let end = min(offset + chunkSize, input.count)
            parser.append(Array(input[offset..<end]))
            offset = end
            while let event = try parser.next() { record(event) }
        }
        parser.finish()
        while let event = try parser.next() { record(event) }
        return .success(events)
    } catch {
        return .failure(error)
    }
}

let chunkSizes = [1, 2, 3, 7, 64, 4096]

func crlf(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
}

@Suite("Multipart parser")
struct MultipartParserTests {
    @Test("two parts with preamble and epilogue, identical at every chunk size", arguments: chunkSizes)
    func twoParts(chunkSize: Int) throws {
        let body = crlf(
            """
            This is the preamble; it is ignored. --XyZ is not a boundary here (no CRLF before it)
            --XyZ
            Content-Disposition: form-data; name="comment"

            hello
            --XyZ
            Content-Disposition: form-data; name="file"; filename="notes.txt"
            Content-Type: text/plain

            line one
            line two
            --XyZ--
            epilogue, ignored
            --XyZ
            """)
        let expected: [ParsedEvent] = [
            .headers(MultipartPartHeaders(name: "comment")), .body(Array("hello".utf8)), .partEnd,
            .headers(MultipartPartHeaders(name: "file", filename: "notes.txt", contentType: "text/plain")),
            .body(crlf("line one\nline two")), .partEnd, .end,
        ]
        #expect(try parse(body, chunkSize: chunkSize).get() == expected)
    }

    @Test("the whole body in one chunk gives the same events as one byte at a time")
    func wholeVersusBytewise() {
        let body = crlf("--XyZ\nContent-Disposition: form-data; name=a\n\n1\n--XyZ--\n")
        #expect(parse(body, chunkSize: body.count) == parse(body, chunkSize: 1))
        #expect(
            parse(body, chunkSize: body.count)
                == .success([.headers(MultipartPartHeaders(name: "a")), .body([0x31]), .partEnd, .end]))
    }

    @Test("file name with escaped quotes and a literal backslash")
    func quotedFilename() throws {
        let body = crlf(
            #"""
            --XyZ
            Content-Disposition: form-data; name="file"; filename="say \"hi\" \\ C:\dir\x.txt"

            x
            --XyZ--
            """#)
        let events = try parse(body, chunkSize: 5).get()
        #expect(events.first == .headers(MultipartPartHeaders(name: "file", filename: #"say "hi" \ C:\dir\x.txt"#)))
    }

    @Test("filename* (RFC 8187) wins over filename; a broken filename* falls back")
    func extendedFilename() throws {
        let body = crlf(
            """
            --XyZ
            content-disposition: form-data; name=file; filename="fallback.txt"; FILENAME*=utf-8'en'%E2%82%AC%20rates.txt

            x
            --XyZ
            Content-Disposition: form-data; name="second"; filename*=UTF-8''%E2%82; filename="plain.txt"

            y
            --XyZ--
            """)
        let events = try parse(body, chunkSize: 3).get()
        #expect(events[0] == .headers(MultipartPartHeaders(name: "file", filename: "€ rates.txt")))
        #expect(events[3] == .headers(MultipartPartHeaders(name: "second", filename: "plain.txt")))
    }

    @Test("CRLF edge cases inside bodies", arguments: chunkSizes)
    func crlfEdgeCases(chunkSize: Int) throws {
        // Part 1: body ends with CR LF CR (the delimiter's CRLF is not part of the body).
        // Part 2: near-miss delimiters. Part 3: empty body. Part 4: no headers at all. Padding after a boundary.
        var body: [UInt8] = []
        body += crlf("--XyZ\nContent-Disposition: form-data; name=a\n\n")
        body += [0x0D, 0x0A, 0x0D]
        body += crlf("\n--XyZ   \nContent-Disposition: form-data; name=b\n\n")
        let nearMisses = crlf("\n--XyY\n-XyZ\n--Xy\n") + [0x0D] + Array("--XyZ".utf8) + [0x0A] + Array("--XyZ".utf8)
        body += nearMisses
        body += crlf("\n--XyZ\nContent-Disposition: form-data; name=c\n\n\n--XyZ\n\nno headers\n--XyZ--")
        let expected: [ParsedEvent] = [
            .headers(MultipartPartHeaders(name: "a")), .body([0x0D, 0x0A, 0x0D]), .partEnd,
            .headers(MultipartPartHeaders(name: "b")), .body(nearMisses), .partEnd,
            .headers(MultipartPartHeaders(name: "c")), .partEnd,
            .headers(MultipartPartHeaders()), .body(Array("no headers".utf8)), .partEnd,
            .end,
        ]
        #expect(try parse(body, chunkSize: chunkSize).get() == expected)
    }

    @Test("binary body with every byte value survives every chunk size", arguments: chunkSizes)
    func binaryBody(chunkSize: Int) throws {
        let payload = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } } + crlf("\n--XyZ-not-quite")
        let boundary = "----olaf-boundary-0123456789"
        let body =
            crlf("--\(boundary)\nContent-Disposition: form-data; name=\"file\"; filename=\"b.bin\"\n\n") + payload
            + crlf("\n--\(boundary)--\n")
        let events = try parse(body, boundary: boundary, chunkSize: chunkSize).get()
        #expect(events.count == 4)
        #expect(events[1] == .body(payload))
    }

    @Test("missing closing boundary is an error", arguments: chunkSizes)
    func missingClosingBoundary(chunkSize: Int) {
        let truncated = crlf("--XyZ\nContent-Disposition: form-data; name=a\n\nsome data\n")
        #expect(parse(truncated, chunkSize: chunkSize) == .failure(.unexpectedEnd))
        let noBoundaryAtAll = crlf("just some text\n")
        #expect(parse(noBoundaryAtAll, chunkSize: chunkSize) == .failure(.unexpectedEnd))
        let endsInHeaders = crlf("--XyZ\nContent-Disposition: form-")
        #expect(parse(endsInHeaders, chunkSize: chunkSize) == .failure(.unexpectedEnd))
        #expect(parse([], chunkSize: chunkSize) == .failure(.unexpectedEnd))
    }

    @Test("header block larger than the cap is an error, at the cap it is fine", arguments: [1, 7, 4096, 100_000])
    func headersTooLarge(chunkSize: Int) throws {
        let limit = MultipartParser.defaultMaxHeaderBytes
        func body(headerBlockSize: Int) -> [UInt8] {
            // "X-Pad: " + padding + CRLF CRLF == headerBlockSize bytes.
            let padding = String(repeating: "p", count: headerBlockSize - 7 - 4)
            return crlf("--XyZ\nX-Pad: \(padding)\n\nbody\n--XyZ--")
        }
        #expect(
            parse(body(headerBlockSize: limit + 1), chunkSize: chunkSize) == .failure(.headersTooLarge(limit: limit)))
        #expect(try parse(body(headerBlockSize: limit), chunkSize: chunkSize).get().count == 4)
        // Never-ending headers are refused once the cap is reached, without waiting for the end of input.
        var parser = try MultipartParser(boundary: "XyZ")
        parser.append(crlf("--XyZ\nX-Pad: "))
        #expect(try parser.next() == nil)
        parser.append([UInt8](repeating: 0x61, count: limit))
        #expect(throws: MultipartError.headersTooLarge(limit: limit)) { try parser.next() }
    }

    @Test("malformed header lines and delimiters")
    func malformed() {
        let noColon = crlf("--XyZ\nContent-Disposition form-data\n\nx\n--XyZ--")
        #expect(parse(noColon, chunkSize: 4) == .failure(.malformedHeaders))
        let bareLF = Array("--XyZ\r\nA: b\nC: d\r\n\r\nx\r\n--XyZ--".utf8)
        #expect(parse(bareLF, chunkSize: 4) == .failure(.malformedHeaders))
        let unterminatedQuote = crlf("--XyZ\nContent-Disposition: form-data; name=\"a\n\nx\n--XyZ--")
        #expect(parse(unterminatedQuote, chunkSize: 4) == .failure(.malformedHeaders))
        let spaceInName = crlf("--XyZ\nBad Name: x\n\nx\n--XyZ--")
        #expect(parse(spaceInName, chunkSize: 4) == .failure(.malformedHeaders))
        let junkAfterBoundary = crlf("--XyZjunk\n\nx\n--XyZ--")
        #expect(parse(junkAfterBoundary, chunkSize: 4) == .failure(.malformedDelimiter))
        let folded = crlf("--XyZ\nContent-Disposition: form-data;\n name=\"folded\"\n\nx\n--XyZ--")
        #expect(
            parse(folded, chunkSize: 4)
                == .success([.headers(MultipartPartHeaders(name: "folded")), .body([0x78]), .partEnd, .end]))
    }

    @Test("an error is sticky")
    func stickyError() throws {
        var parser = try MultipartParser(boundary: "XyZ")
        parser.append(crlf("--XyZ?\n"))
        #expect(throws: MultipartError.malformedDelimiter) { try parser.next() }
        parser.append(crlf("--XyZ\n\nx\n--XyZ--"))
        #expect(throws: MultipartError.malformedDelimiter) { try parser.next() }
    }

    @Test("boundary from Content-Type")
    func boundaryFromContentType() throws {
        #expect(try MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=abc123") == "abc123")
        #expect(
            try MultipartParser.boundary(fromContentType: #"Multipart/Form-Data;charset=utf-8; BOUNDARY="a b:c""#)
                == "a b:c")
        #expect(throws: MultipartError.missingBoundary) {
            try MultipartParser.boundary(fromContentType: "multipart/form-data")
        }
        #expect(throws: MultipartError.invalidBoundary) {
            try MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=\"\"")
        }
        #expect(throws: MultipartError.invalidBoundary) {
            try MultipartParser.boundary(
                fromContentType: "multipart/form-data; boundary=\(String(repeating: "a", count: 71))")
        }
        #expect(
            try MultipartParser.boundary(
                fromContentType: "multipart/form-data; boundary=\(String(repeating: "a", count: 70))"
            ).count == 70)
        #expect(throws: MultipartError.invalidBoundary) {
            try MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=\"ends with space \"")
        }
        #expect(throws: MultipartError.invalidBoundary) {
            try MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=semi\u{7F}colon")
        }
        #expect(throws: MultipartError.notFormData) {
            try MultipartParser.boundary(fromContentType: "multipart/mixed; boundary=a")
        }
        #expect(MultipartParser.isFormData(contentType: "multipart/form-data ; boundary=x"))
        #expect(!MultipartParser.isFormData(contentType: "application/octet-stream"))
    }

    @Test("memory stays bounded while streaming a large part")
    func boundedMemory() throws {
        var parser = try MultipartParser(boundary: "XyZ")
        parser.append(crlf("--XyZ\nContent-Disposition: form-data; name=f; filename=big\n\n"))
        var bodyBytes = 0
        let chunk = [UInt8](repeating: 0x0D, count: 65_536)  // all CR: worst case for the delimiter search
        for _ in 0..<64 {
            parser.append(chunk)
            while let event = try parser.next() {
                if case .body(let buffer) = event { bodyBytes += buffer.readableBytes }
            }
            #expect(parser.bufferedByteCount < "\r\n--XyZ".utf8.count)
        }
        parser.append(crlf("\n--XyZ--"))
        parser.finish()
        while let event = try parser.next() {
            if case .body(let buffer) = event { bodyBytes += buffer.readableBytes }
        }
        #expect(bodyBytes == 64 * 65_536)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("mutated inputs parse the same whatever the chunking, and never crash")
    func chunkingInvariance() {
        var generator = SplitMix64(seed: 0x01af)
        let base = crlf(
            """
            pre
            --XyZ
            Content-Disposition: form-data; name="a"; filename="x.bin"
            Content-Type: application/octet-stream

            \u{1}\u{2}--XyZ
            --XyZ
            Content-Disposition: form-data; name=b

            value
            --XyZ--
            post
            """)
        for _ in 0..<400 {
            var input = base
            for _ in 0..<Int(generator.next() % 4) {
                let position = Int(generator.next() % UInt64(input.count))
                switch generator.next() % 3 {
                case 0: input[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: input.remove(at: position)
                default: input.insert([0x0D, 0x0A, 0x2D, 0x22, 0x3B][Int(generator.next() % 5)], at: position)
                }
            }
            let reference = parse(input, chunkSize: input.count + 1)
            for size in [1, 3, 7] {
                #expect(parse(input, chunkSize: size) == reference)
            }
        }
    }
}
