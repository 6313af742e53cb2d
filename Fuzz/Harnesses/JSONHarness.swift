import Core

/// The core JSON parser, with a differential round trip: a parsed value written by `JSONWriter` (compact and
/// Python layouts) parses back to an equal value.
enum JSONHarness {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard let value = try? JSONParser.parse(input) else { return }
        for (layout, text) in [("compact", JSONWriter.compact(value)), ("python", JSONWriter.python(value))] {
            let again: JSONValue
            do {
                again = try JSONParser.parse(text)
            } catch {
                throw FuzzFinding(.json, "\(layout) output of a parsed value does not parse: \(error)")
            }
            guard again == value else { throw FuzzFinding(.json, "\(layout) round trip changed the value") }
        }
    }
}
