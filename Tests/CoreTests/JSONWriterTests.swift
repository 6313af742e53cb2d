import Core
import Testing

// Every expected string below was produced by Python 3:
//   python:  json.dumps(obj)
//   compact: json.dumps(obj, separators=(",", ":"), ensure_ascii=False)

private let greeting: JSONValue = "h\u{E9}llo \u{2713} \u{65E5}\u{672C} \u{1F600} \"quoted\" \\ back"
private let controls: JSONValue = "a\u{0}b\u{1}c\u{1F}d\u{7F}e\u{8}\u{C}\n\r\t/"
private let document: JSONValue = [
    "type": "signed_data",
    "data": ["z": 1, "a": [true, false, .null], "m": .object(JSONObject())],
    "counter": .number("12345678901234567890"),
    "list": [],
    "s": "\u{2028}\u{A0}",
]
private let topArray: JSONValue = [1, "two", [3, [4, .object(JSONObject())]], ["k": "v"]]
private let oddKeys: JSONValue = ["\u{E9}": "\u{1F600}", "b\n": [.number("1.5"), .number("0"), "x"]]
private let allASCII: JSONValue = .string(
    String(String.UnicodeScalarView((0..<0x80).map { Unicode.Scalar(UInt8($0)) })))
private let boundaries: JSONValue =
    "\u{80}\u{FF}\u{100}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FEFF}\u{FFFF}\u{10000}\u{10FFFF}"

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("Python layout matches json.dumps")
    func python() {
        #expect(JSONWriter.python(greeting) == #""h\u00e9llo \u2713 \u65e5\u672c \ud83d\ude00 \"quoted\" \\ back""#)
        #expect(JSONWriter.python(controls) == #""a\u0000b\u0001c\u001fd\u007fe\b\f\n\r\t/""#)
        #expect(
            JSONWriter.python(document)
                == #"{"type": "signed_data", "data": {"z": 1, "a": [true, false, null], "m": {}}, "counter": 12345678901234567890, "list": [], "s": "\u2028\u00a0"}"#
        )
        #expect(JSONWriter.python(topArray) == #"[1, "two", [3, [4, {}]], {"k": "v"}]"#)
        #expect(JSONWriter.python(oddKeys) == #"{"\u00e9": "\ud83d\ude00", "b\n": [1.5, 0, "x"]}"#)
        #expect(
            JSONWriter.python(allASCII)
                == ##""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\u007f""##
        )
        #expect(
            JSONWriter.python(boundaries)
                == #""\u0080\u00ff\u0100\u07ff\u0800\ud7ff\ue000\ufeff\uffff\ud800\udc00\udbff\udfff""#)
    }

    @Test("Compact layout matches json.dumps with compact separators and ensure_ascii=False")
    func compact() {
        #expect(
            JSONWriter.compact(greeting)
                == "\"h\u{E9}llo \u{2713} \u{65E5}\u{672C} \u{1F600} \\\"quoted\\\" \\\\ back\"")
        #expect(JSONWriter.compact(controls) == #""a\u0000b\u0001c\u001fd"# + "\u{7F}" + #"e\b\f\n\r\t/""#)
        #expect(
            JSONWriter.compact(document)
                == #"{"type":"signed_data","data":{"z":1,"a":[true,false,null],"m":{}},"counter":12345678901234567890,"list":[],"s":""#
                + "\u{2028}\u{A0}\"}")
        #expect(JSONWriter.compact(topArray) == #"[1,"two",[3,[4,{}]],{"k":"v"}]"#)
        #expect(JSONWriter.compact(oddKeys) == "{\"\u{E9}\":\"\u{1F600}\",\"b\\n\":[1.5,0,\"x\"]}")
        #expect(
            JSONWriter.compact(allASCII)
                == ##""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"##
                + "\u{7F}\"")
    }

    @Test("Empty containers, literals and numbers as stored text")
    func scalars() {
        for render in [JSONWriter.python, JSONWriter.compact] {
            #expect(render(.array([])) == "[]")
            #expect(render(.object(JSONObject())) == "{}")
            #expect(render(.null) == "null")
            #expect(render(true) == "true")
            #expect(render(false) == "false")
            #expect(render(.number("1.50E+3")) == "1.50E+3")
            #expect(render(.number("-0")) == "-0")
            #expect(render(.integer(Int64.min)) == "-9223372036854775808")
            #expect(render("a/b") == "\"a/b\"")
        }
    }

    @Test("Member order is preserved in output, including after edits")
    func memberOrder() {
        var object: JSONObject = ["z": 1, "a": 2, "m": 3]
        object["b"] = 4
        object["a"] = 5
        #expect(JSONWriter.python(.object(object)) == #"{"z": 1, "a": 5, "m": 3, "b": 4}"#)
        #expect(JSONWriter.compact(.object(object)) == #"{"z":1,"a":5,"m":3,"b":4}"#)
    }

    @Test("UTF-8 byte outputs equal the String outputs")
    func utf8Outputs() {
        #expect(JSONWriter.pythonUTF8(document) == Array(JSONWriter.python(document).utf8))
        #expect(JSONWriter.compactUTF8(greeting) == Array(JSONWriter.compact(greeting).utf8))
        #expect(JSONWriter.pythonUTF8(greeting).allSatisfy { $0 < 0x80 })
    }

    @Test(
        "Parsing the output of either writer gives the value back",
        arguments: [greeting, controls, document, topArray, oddKeys, allASCII, boundaries])
    func roundTrip(value: JSONValue) throws {
        #expect(try JSONParser.parse(JSONWriter.python(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.compact(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.pythonUTF8(value)) == value)
    }

    @Test("Writing a parsed Python document reproduces it byte for byte")
    func pythonIdempotent() throws {
        let text = #"{"b": [1, 2.50, -0, 1e400], "a": {"\u00e9\ud83d\ude00": "\u007f"}, "": null}"#
        #expect(JSONWriter.python(try JSONParser.parse(text)) == text)
    }

    @Test("description is the compact text")
    func description() {
        #expect(topArray.description == #"[1,"two",[3,[4,{}]],{"k":"v"}]"#)
    }
}
