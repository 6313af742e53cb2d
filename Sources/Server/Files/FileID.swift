/// File identifiers: 128 random bits as 32 lowercase hex characters. The id is the only secret protecting a file.
enum FileID {
    /// 16 bytes from `SystemRandomNumberGenerator` (getrandom(2)/arc4random: a CSPRNG) as lowercase hex.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (generator.next() as UInt64, generator.next() as UInt64)
        return hex(words.0) + hex(words.1)
    }

    /// True only for exactly 32 characters in `[0-9a-f]`; anything else (uppercase, `%`, `.`, `/`, `\`) is rejected,
    /// which is what keeps request paths from ever naming anything outside the files folder.
    static func isValid(_ id: String) -> Bool {
        var count = 0
        for byte in id.utf8 {
            count += 1
            guard count <= 32 else { return false }
            switch byte {
            case 0x30...0x39, 0x61...0x66: continue
            default: return false
            }
        }
        return count == 32
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 16)
        for position in 0..<16 {
            bytes[position] = digits[Int((value >> UInt64(60 - 4 * position)) & 0xF)]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
