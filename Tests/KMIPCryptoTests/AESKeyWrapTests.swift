import KMIP
import XCTest
@testable import KMIPCrypto

final class AESKeyWrapTests: XCTestCase {
    let h = SymmetricVectors.hex

    static let kek256 = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"

    /// RFC 3394 §4.1–4.6: (section, KEK, key data, wrapped).
    static let rfc3394: [(String, String, String, String)] = [
        ("4.1", String(kek256.prefix(32)), "00112233445566778899AABBCCDDEEFF", "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"),
        ("4.2", String(kek256.prefix(48)), "00112233445566778899AABBCCDDEEFF", "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"),
        ("4.3", kek256, "00112233445566778899AABBCCDDEEFF", "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"),
        ("4.4", String(kek256.prefix(48)), "00112233445566778899AABBCCDDEEFF0001020304050607",
         "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2"),
        ("4.5", kek256, "00112233445566778899AABBCCDDEEFF0001020304050607",
         "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1"),
        ("4.6", kek256, "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
         "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21"),
    ]

    /// RFC 5649 §6: (KEK, key, wrapped).
    static let rfc5649: [(String, String, String)] = [
        ("5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8", "c37b7e6492584340 bed1220780894115 5068f738",
         "138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a"),
        ("5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8", "466f7250617369", "afbeb0f07dfbf541 9200f2ccb50bb24f"),
    ]

    func testRFC3394Vectors() throws {
        for (section, kek, key, wrapped) in Self.rfc3394 {
            let w = try AESKeyWrap(keyEncryptionKey: SecretBytes(h(kek)), variant: .rfc3394)
            XCTAssertEqual(try w.wrap(SecretBytes(h(key))), h(wrapped), "RFC 3394 §\(section) wrap")
            XCTAssertEqual(try w.unwrap(h(wrapped)), SecretBytes(h(key)), "RFC 3394 §\(section) unwrap")
            assertTamperingFails(w, h(wrapped), "RFC 3394 §\(section)")
        }
    }

    func testRFC5649Vectors() throws {
        for (kek, key, wrapped) in Self.rfc5649 {
            let w = try AESKeyWrap(keyEncryptionKey: SecretBytes(h(kek)), variant: .rfc5649)
            XCTAssertEqual(w.openSSLName, "AES-192-WRAP-PAD")
            XCTAssertEqual(try w.wrap(SecretBytes(h(key))), h(wrapped), "RFC 5649 wrap of \(key.count / 2) bytes")
            XCTAssertEqual(try w.unwrap(h(wrapped)), SecretBytes(h(key)))
            assertTamperingFails(w, h(wrapped), "RFC 5649 \(key)")
        }
    }

    func assertTamperingFails(_ w: AESKeyWrap, _ wrapped: [UInt8], _ what: String) {
        for i in [0, wrapped.count / 2, wrapped.count - 1] {
            var bad = wrapped
            bad[i] ^= 0x01
            XCTAssertThrowsError(try w.unwrap(bad), "\(what) byte \(i)") {
                XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure, what)
            }
        }
        // Another KEK of the same size fails the integrity check too.
        let other = try! AESKeyWrap(keyEncryptionKey: SecretBytes([UInt8](repeating: 0x42, count: w.kek.count)), variant: w.variant)
        XCTAssertThrowsError(try other.unwrap(wrapped)) { XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure) }
    }

    func testRoundTripsAndRules() throws {
        let kek = SecretBytes((0..<32).map { UInt8($0) })
        let kw = try AESKeyWrap(keyEncryptionKey: kek, variant: .rfc3394)
        let kwp = try AESKeyWrap(keyEncryptionKey: kek, variant: .rfc5649)
        for n in 1...70 {
            let key = SecretBytes((0..<n).map { UInt8(truncatingIfNeeded: $0 * 13) })
            let padded = try kwp.wrap(key)
            XCTAssertEqual(padded.count, max(16, (n + 7) / 8 * 8 + 8))
            XCTAssertEqual(try kwp.unwrap(padded), key)
            if n >= 16, n % 8 == 0 {
                let plain = try kw.wrap(key)
                XCTAssertEqual(plain.count, n + 8)
                XCTAssertEqual(try kw.unwrap(plain), key)
                // The variants do not accept each other's output.
                XCTAssertThrowsError(try kwp.unwrap(plain))
            } else {
                XCTAssertThrowsError(try kw.wrap(key)) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
            }
        }
        XCTAssertThrowsError(try kw.unwrap([UInt8](repeating: 0, count: 20))) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
        XCTAssertThrowsError(try kwp.wrap(SecretBytes([]))) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
        XCTAssertThrowsError(try AESKeyWrap(keyEncryptionKey: SecretBytes([1, 2, 3]), variant: .rfc3394)) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField)
        }
        // CryptoLimits.maxWrappedKeyLength, checked before OpenSSL sees the key.
        let tooLong = SecretBytes(count: CryptoLimits.maxWrappedKeyLength + 8) { _ in }
        XCTAssertThrowsError(try kw.wrap(tooLong)) { XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField) }
        XCTAssertThrowsError(try kwp.unwrap([UInt8](repeating: 0, count: CryptoLimits.maxWrappedKeyLength + 24))) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField)
        }
        XCTAssertEqual(try AESKeyWrap.Variant(.nISTKeyWrap), .rfc3394)
        XCTAssertEqual(try AESKeyWrap.Variant(.aESKeyWrapPadding), .rfc5649)
        XCTAssertThrowsError(try AESKeyWrap.Variant(.gcm))
    }
}
