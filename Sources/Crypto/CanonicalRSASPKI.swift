/// The canonical DER SubjectPublicKeyInfo of an RSA key with a 2048-bit modulus and e = 65537: the only key the
/// protocol allows, in the one byte layout OpenSSL (and every mainstream library) writes for it.
///
/// 294 bytes: a 33-byte header (SEQUENCE { SEQUENCE { rsaEncryption OID, NULL }, BIT STRING { SEQUENCE {
/// INTEGER n … ) with every length fixed, the 256 big-endian modulus bytes, then `INTEGER 65537`. A 2048-bit
/// modulus has its top bit set, so its minimal DER INTEGER is a 0x00 byte plus 256 bytes: with the top bit set,
/// the encoding is exactly what OpenSSL's `i2d_PUBKEY` would write for that key.
enum CanonicalRSASPKI {
    /// The total length of the encoding.
    static let length = 294

    /// Everything before the modulus bytes (checked against `openssl pkey -pubout -outform DER`):
    /// `30 82 01 22` SubjectPublicKeyInfo, `30 0d 06 09 2a864886f70d010101 05 00` AlgorithmIdentifier
    /// (rsaEncryption, NULL parameters), `03 82 01 0f 00` BIT STRING with no unused bits, `30 82 01 0a`
    /// RSAPublicKey, `02 82 01 01 00` INTEGER of 257 bytes (leading zero).
    static let prefix: [UInt8] = [
        0x30, 0x82, 0x01, 0x22, 0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05,
        0x00, 0x03, 0x82, 0x01, 0x0F, 0x00, 0x30, 0x82, 0x01, 0x0A, 0x02, 0x82, 0x01, 0x01, 0x00,
    ]

    /// Everything after the modulus: `INTEGER 65537`.
    static let suffix: [UInt8] = [0x02, 0x03, 0x01, 0x00, 0x01]

    /// Where the 256 modulus bytes sit.
    static let modulusRange = 33..<289

    /// The modulus bytes (big-endian, 256 bytes) when `der` is exactly this layout and the modulus is 2048 bits
    /// (top bit set); nil for anything else, which the general DER decoder then judges.
    static func modulus(in der: [UInt8]) -> ArraySlice<UInt8>? {
        guard der.count == length, der[modulusRange.lowerBound] & 0x80 != 0,
            der[..<modulusRange.lowerBound].elementsEqual(prefix),
            der[modulusRange.upperBound...].elementsEqual(suffix)
        else { return nil }
        return der[modulusRange]
    }
}
