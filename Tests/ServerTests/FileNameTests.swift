import OlafTestSupport
import Server
import Testing

@Suite("File names")
struct FileNameTests {
    @Test(
        "sanitisedName",
        arguments: [
            ("../../etc/passwd", "passwd"),
            ("a\\b.txt", "b.txt"),
            ("C:\\Users\\me\\Desktop\\report.pdf", "report.pdf"),
            ("\"; rm -rf", "rm -rf"),
            ("x\"; filename=\"evil.exe", "x filename=evil.exe"),
            ("it's.txt", "its.txt"),
            ("", "file"),
            ("...", "file"),
            ("dir/", "file"),
            ("  .hidden.  ", "hidden"),
            ("new\r\nline\u{0}.txt", "newline.txt"),
            ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
            ("€uro ünïcödé.txt", "€uro ünïcödé.txt"),
            ("dir/\u{301}evil/\u{301}name.txt", "\u{301}name.txt"),
        ])
    func sanitise(input: String, expected: String) {
        #expect(FileStore.sanitisedName(input) == expected)
    }

    @Test("names are capped at 200 UTF-8 bytes without splitting characters")
    func cap() {
        let ascii = FileStore.sanitisedName(String(repeating: "a", count: 300) + ".txt")
        #expect(ascii == String(repeating: "a", count: 200))
        let multibyte = FileStore.sanitisedName(String(repeating: "é", count: 150))  // 2 bytes each
        #expect(multibyte == String(repeating: "é", count: 100))
        let threeByte = FileStore.sanitisedName(String(repeating: "€", count: 100))  // 3 bytes each
        #expect(threeByte.utf8.count == 198)
        #expect(threeByte == String(repeating: "€", count: 66))
        let trailingDotAtCut = FileStore.sanitisedName(String(repeating: "b", count: 199) + ". tail")
        #expect(trailingDotAtCut == String(repeating: "b", count: 199))
    }

    @Test("file URL percent-encodes the name and ignores a trailing slash in the base URL")
    func fileURL() throws {
        let fixture = try FileStoreFixture(publicBaseURL: "http://10.0.0.5:8080/")
        defer { fixture.directory.remove() }
        let file = StoredFile(
            id: String(repeating: "f", count: 32), name: "a b/€?#%.txt", size: 0, sha256: "", contentType: "x/y",
            uploadedAt: fixture.clock.now, expiresAt: nil)
        #expect(
            fixture.store.fileURL(for: file)
                == "http://10.0.0.5:8080/api/files/\(file.id)/a%20b%2F%E2%82%AC%3F%23%25.txt")
    }
}
