import OlafCrypto
import Testing

@Suite("Base64 and SHA-256")
struct EncodingTests {
    @Test(
        "base64 encodes like RFC 4648's test vectors",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ])
    func rfcVectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test("all byte values round-trip")
    func allBytes() {
        let bytes = (0...255).map { UInt8($0) }
        for length in [0, 1, 2, 3, 254, 255, 256] {
            let slice = Array(bytes.prefix(length))
            #expect(Base64.decode(Base64.encode(slice)) == slice)
        }
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
    }

    @Test(
        "strict decoding refuses anything but padded standard base64",
        arguments: [
            "Zg", "Zg=", "Zm9", "Z===", "====", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "Zg==Zg==", "Z=g=", "Zm9vYg=a",
        ])
    func strictDecoding(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test("whitespace-tolerant decoding is for PEM bodies only")
    func whitespaceTolerant() {
        #expect(Base64.decodeIgnoringWhitespace("Zm9v\r\nYmFy\n") == Array("foobar".utf8))
        #expect(Base64.decodeIgnoringWhitespace("Zm9v YmF") == nil)
    }

    @Test("SHA-256 known answers (FIPS 180-2)")
    func sha256() {
        #expect(
            SHA256Hasher.hash(utf8: "abc")
                == [UInt8](hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(
            SHA256Hasher.hash([]) == [UInt8](hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        var hasher = SHA256Hasher()
        hasher.update(utf8: "a")
        hasher.update(Array("bc".utf8))
        #expect(hasher.finish() == SHA256Hasher.hash(utf8: "abc"))
    }
}
