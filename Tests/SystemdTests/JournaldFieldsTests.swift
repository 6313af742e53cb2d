import Foundation
import Logging
import Systemd
import Testing

@Suite("JournaldFields mapping")
struct JournaldFieldsTests {
    private func fields(
        level: Logger.Level = .info, message: Logger.Message = "hello", metadata: Logger.Metadata = [:]
    ) -> [(String, String)] {
        JournaldFields.make(
            level: level, message: message, metadata: metadata, source: "Server", file: "Server/Relay.swift",
            function: "relay(_:)", line: 42, label: "olaf.relay", identifier: "olafd")
    }

    private func value(_ name: String, in fields: [(String, String)]) -> String? {
        let matches = fields.filter { $0.0 == name }
        return matches.count == 1 ? matches[0].1 : nil
    }

    @Test(
        "syslog priority for every level",
        arguments: [
            (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ])
    func priority(level: Logger.Level, expected: Int) {
        #expect(JournaldFields.priority(for: level) == expected)
        #expect(value("PRIORITY", in: fields(level: level)) == String(expected))
    }

    @Test("every level is covered by the priority table")
    func allLevelsCovered() {
        #expect(Set(Logger.Level.allCases.map(JournaldFields.priority(for:))) == [2, 3, 4, 5, 6, 7])
    }

    @Test("fixed fields come first, in order, with their values")
    func fixedFields() {
        let result = fields(level: .warning, message: "two\nlines", metadata: ["peer": "b.example"])
        #expect(
            result.map(\.0) == [
                "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "OLAF_LABEL",
                "OLAF_SOURCE", "OLAF_PEER",
            ])
        #expect(
            result.map(\.1) == [
                "two\nlines", "4", "olafd", "Server/Relay.swift", "42", "relay(_:)", "olaf.relay", "Server",
                "b.example",
            ])
    }

    @Test("CODE_LINE is plain decimal")
    func codeLineDecimal() {
        let result = JournaldFields.make(
            level: .info, message: "m", metadata: [:], source: "s", file: "f", function: "g", line: 1_234_567,
            label: "l", identifier: "i")
        #expect(value("CODE_LINE", in: result) == "1234567")
    }

    @Test(
        "metadata keys become valid OLAF_ field names",
        arguments: [
            ("fingerprint", "OLAF_FINGERPRINT"), ("hb.request.id", "OLAF_HB_REQUEST_ID"), ("x-y z", "OLAF_X_Y_Z"),
            ("already_UPPER_9", "OLAF_ALREADY_UPPER_9"), ("_private", "OLAF__PRIVATE"), ("9lives", "OLAF_9LIVES"),
            ("é", "OLAF__"), ("", "OLAF_"),
        ])
    func keySanitising(key: String, expected: String) {
        #expect(JournaldFields.fieldName(forMetadataKey: key) == expected)
        #expect(value(expected, in: fields(metadata: [key: "v"])) == "v")
    }

    @Test("very long keys are truncated to 64 characters")
    func longKey() {
        let name = JournaldFields.fieldName(forMetadataKey: String(repeating: "k", count: 200))
        #expect(name == "OLAF_" + String(repeating: "K", count: 59))
        #expect(name.count == 64)
        #expect(JournaldFields.fieldName(forMetadataKey: String(repeating: "é", count: 100)).count == 64)
    }

    @Test("every field name is valid for journald")
    func allNamesValid() {
        let metadata: Logger.Metadata = [
            "fingerprint": "ab", "hb.request.id": "1", "x-y z": "2", String(repeating: "long.", count: 40): "3",
            "日本": "4", "_x": "5", "0": "6", "": "7",
        ]
        let validName = /^[A-Z0-9][A-Z0-9_]{0,63}$/
        for (name, _) in fields(metadata: metadata) {
            #expect(name.wholeMatch(of: validName) != nil, "invalid field name \(name)")
            #expect(!name.hasPrefix("_"))
        }
    }

    @Test("metadata values use their description")
    func valueRendering() {
        let result = fields(metadata: [
            "count": .stringConvertible(3), "list": ["a", "b"], "text": "plain",
        ])
        #expect(value("OLAF_COUNT", in: result) == "3")
        #expect(value("OLAF_LIST", in: result) == #"["a", "b"]"#)
        #expect(value("OLAF_TEXT", in: result) == "plain")
    }

    @Test("metadata cannot replace OLAF_LABEL or OLAF_SOURCE")
    func reservedNames() {
        let result = fields(metadata: ["label": "forged", "SOURCE": "forged", "other": "kept"])
        #expect(value("OLAF_LABEL", in: result) == "olaf.relay")
        #expect(value("OLAF_SOURCE", in: result) == "Server")
        #expect(value("OLAF_OTHER", in: result) == "kept")
    }

    @Test("keys that collide after sanitising give one field, deterministically")
    func collisions() {
        let result = fields(metadata: ["a.b": "dot", "a_b": "underscore", "A-B": "dash"])
        // Sorted keys: "A-B" < "a.b" < "a_b"; the last one wins.
        #expect(value("OLAF_A_B", in: result) == "underscore")
    }

    @Test("later metadata overrides earlier: handler < provider < message")
    func mergeOrder() {
        let merged = JournaldFields.merge(
            handler: ["a": "handler", "b": "handler", "c": "handler"],
            provider: ["b": "provider", "c": "provider"],
            message: ["c": "message"])
        #expect(merged == ["a": "handler", "b": "provider", "c": "message"])
    }

    @Test("the handler merges its metadata, the provider and the event's")
    func handlerFields() {
        var handler = JournaldLogHandler(
            label: "olaf.test", identifier: "olafd-test",
            metadataProvider: Logger.MetadataProvider { ["b": "provider", "c": "provider"] })
        handler[metadataKey: "a"] = "handler"
        handler[metadataKey: "b"] = "handler"
        let event = LogEvent(
            level: .error, message: "boom", metadata: ["c": "message"], source: "Tests", file: "T.swift",
            function: "f()", line: 7)
        let result = handler.fields(for: event)
        #expect(value("OLAF_A", in: result) == "handler")
        #expect(value("OLAF_B", in: result) == "provider")
        #expect(value("OLAF_C", in: result) == "message")
        #expect(value("PRIORITY", in: result) == "3")
        #expect(value("SYSLOG_IDENTIFIER", in: result) == "olafd-test")
        #expect(value("OLAF_LABEL", in: result) == "olaf.test")
    }

    @Test("an event's error becomes OLAF_ERROR_MESSAGE and OLAF_ERROR_TYPE")
    func eventError() {
        let handler = JournaldLogHandler(label: "l", metadataProvider: nil)
        let event = LogEvent(
            level: .error, message: "m", error: CocoaError(.fileNoSuchFile), metadata: nil, source: "s", file: "f",
            function: "g", line: 1)
        let result = handler.fields(for: event)
        #expect(value("OLAF_ERROR_MESSAGE", in: result) != nil)
        #expect(value("OLAF_ERROR_TYPE", in: result)?.contains("CocoaError") == true)
        #expect(value("SYSLOG_IDENTIFIER", in: result) == "olafd")
    }

    @Test("the handler has value semantics")
    func valueSemantics() {
        var first = JournaldLogHandler(label: "l", metadataProvider: nil)
        first.logLevel = .debug
        first[metadataKey: "only-on"] = "first"
        var second = first
        second.logLevel = .error
        second[metadataKey: "only-on"] = "second"
        #expect(first.logLevel == .debug)
        #expect(second.logLevel == .error)
        #expect(first[metadataKey: "only-on"] == "first")
        #expect(second[metadataKey: "only-on"] == "second")
    }
}
