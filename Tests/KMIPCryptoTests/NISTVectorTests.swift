import KMIP
import XCTest
@testable import KMIPCrypto

/// NIST SP 800-38A appendix F (ECB, CBC, CFB128, OFB, CTR with AES-128/192/256) and the GCM
/// specification's test cases 1–18 (McGrew & Viega; the SP 800-38D validation examples), typed in.
final class NISTVectorTests: XCTestCase {
    let h = SymmetricVectors.hex

    // MARK: SP 800-38A

    static let plaintext = """
        6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
        30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710
        """
    static let keys = [
        128: "2b7e151628aed2a6abf7158809cf4f3c",
        192: "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        256: "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
    ]
    static let iv = "000102030405060708090a0b0c0d0e0f"
    static let counter = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

    /// (section, mode, key bits, ciphertext)
    static let sp80038a: [(String, SymmetricMode, Int, String)] = [
        ("F.1.1", .ecb, 128, "3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf 43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4"),
        ("F.1.3", .ecb, 192, "bd334f1d6e45f25ff712a214571fa5cc 974104846d0ad3ad7734ecb3ecee4eef ef7afd2270e2e60adce0ba2face6444e 9a4b41ba738d6c72fb16691603c18e0e"),
        ("F.1.5", .ecb, 256, "f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870 b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7"),
        ("F.2.1", .cbc, 128, "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7"),
        ("F.2.3", .cbc, 192, "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a 571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd"),
        ("F.2.5", .cbc, 256, "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d 39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b"),
        ("F.3.13", .cfb, 128, "3b3fd92eb72dad20333449f8e83cfb4a c8a64537a0b3a93fcde3cdad9f1ce58b 26751f67a3cbb140b1808cf187a4f4df c04b05357c5d1c0eeac4c66f9ff7f2e6"),
        ("F.3.15", .cfb, 192, "cdc80d6fddf18cab34c25909c99a4174 67ce7f7f81173621961a2b70171d3d7a 2e1e8a1dd59b88b1c8e60fed1efac4c9 c05f9f9ca9834fa042ae8fba584b09ff"),
        ("F.3.17", .cfb, 256, "dc7e84bfda79164b7ecd8486985d3860 39ffed143b28b1c832113c6331e5407b df10132415e54b92a13ed0a8267ae2f9 75a385741ab9cef82031623d55b1e471"),
        ("F.4.1", .ofb, 128, "3b3fd92eb72dad20333449f8e83cfb4a 7789508d16918f03f53c52dac54ed825 9740051e9c5fecf64344f7a82260edcc 304c6528f659c77866a510d9c1d6ae5e"),
        ("F.4.3", .ofb, 192, "cdc80d6fddf18cab34c25909c99a4174 fcc28b8d4c63837c09e81700c1100401 8d9a9aeac0f6596f559c6d4daf59a5f2 6d9f200857ca6c3e9cac524bd9acc92a"),
        ("F.4.5", .ofb, 256, "dc7e84bfda79164b7ecd8486985d3860 4febdc6740d20b3ac88f6ad82a4fb08d 71ab47a086e86eedf39d1c5bba97c408 0126141d67f37be8538f5a8be740e484"),
        ("F.5.1", .ctr, 128, "874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff 5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee"),
        ("F.5.3", .ctr, 192, "1abc932417521ca24f2b0459fe7e6e0b 090339ec0aa6faefd5ccc2c6f4ce8e94 1e36b26bd1ebc670d1bd1d665620abf7 4f78a7f6d29809585a97daec58c6b050"),
        ("F.5.5", .ctr, 256, "601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5 2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6"),
    ]

    func testSP80038A() throws {
        let plaintext = h(Self.plaintext)
        var checked = 0
        for (section, mode, bits, ct) in Self.sp80038a {
            let key = SecretBytes(h(Self.keys[bits]!))
            // SP 800-38A has no padding: the plaintext is four whole blocks.
            let cipher = try SymmetricCipher(algorithm: .aes, key: key, parameters: SymmetricParameters(mode: mode, padding: SymmetricPadding.none))
            let iv: [UInt8]? = switch mode {
            case .ecb: nil
            case .ctr: h(Self.counter)
            default: h(Self.iv)
            }
            let encrypted = try cipher.encrypt(plaintext, iv: iv)
            XCTAssertEqual(SymmetricVectors.hexString(encrypted.data), h(ct).map { String(format: "%02x", $0) }.joined(), "\(section) \(mode)-AES\(bits) encrypt")
            XCTAssertNil(encrypted.tag)
            XCTAssertEqual(try cipher.decrypt(h(ct), iv: iv), plaintext, "\(section) \(mode)-AES\(bits) decrypt")
            checked += 1
        }
        XCTAssertEqual(checked, 15)
    }

    // MARK: GCM test cases 1–18

    static let gcmP = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
    static let gcmP60 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
    static let gcmA = "feedfacedeadbeeffeedfacedeadbeefabaddad2"
    static let iv96 = "cafebabefacedbaddecaf888"
    static let iv64 = "cafebabefacedbad"
    static let iv480 = "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b"
    static let k128 = "feffe9928665731c6d6a8f9467308308"
    static let k192 = "feffe9928665731c6d6a8f9467308308feffe9928665731c"
    static let k256 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
    static let zero12 = String(repeating: "00", count: 12)
    static let zero16 = String(repeating: "00", count: 16)

    /// (case, key, iv, plaintext, aad, ciphertext, tag)
    static let gcm: [(Int, String, String, String, String, String, String)] = [
        (1, zero16, zero12, "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"),
        (2, zero16, zero12, zero16, "", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"),
        (3, k128, iv96, gcmP, "", "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985", "4d5c2af327cd64a62cf35abd2ba6fab4"),
        (4, k128, iv96, gcmP60, gcmA, "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47"),
        (5, k128, iv64, gcmP60, gcmA, "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598", "3612d2e79e3b0785561be14aaca2fccb"),
        (6, k128, iv480, gcmP60, gcmA, "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5", "619cc5aefffe0bfa462af43c1699d050"),
        (7, String(repeating: "00", count: 24), zero12, "", "", "", "cd33b28ac773f74ba00ed1f312572435"),
        (8, String(repeating: "00", count: 24), zero12, zero16, "", "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb"),
        (9, k192, iv96, gcmP, "", "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256", "9924a7c8587336bfb118024db8674a14"),
        (10, k192, iv96, gcmP60, gcmA, "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710", "2519498e80f1478f37ba55bd6d27618c"),
        (11, k192, iv64, gcmP60, gcmA, "0f10f599ae14a154ed24b36e25324db8c566632ef2bbb34f8347280fc4507057fddc29df9a471f75c66541d4d4dad1c9e93a19a58e8b473fa0f062f7", "65dcc57fcf623a24094fcca40d3533f8"),
        (12, k192, iv480, gcmP60, gcmA, "d27e88681ce3243c4830165a8fdcf9ff1de9a1d8e6b447ef6ef7b79828666e4581e79012af34ddd9e2f037589b292db3e67c036745fa22e7e9b7373b", "dcf566ff291c25bbb8568fc3d376a6d9"),
        (13, String(repeating: "00", count: 32), zero12, "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"),
        (14, String(repeating: "00", count: 32), zero12, zero16, "", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"),
        (15, k256, iv96, gcmP, "", "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad", "b094dac5d93471bdec1a502270e3cc6c"),
        (16, k256, iv96, gcmP60, gcmA, "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", "76fc6ece0f4e1768cddf8853bb2d551b"),
        (17, k256, iv64, gcmP60, gcmA, "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc2363bc73f7862ac430e64abe499f47c9b1f", "3a337dbf46a792c45e454913fe2ea8f2"),
        (18, k256, iv480, gcmP60, gcmA, "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f", "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"),
    ]

    func testGCMTestCases() throws {
        XCTAssertEqual(Self.gcm.count, 18)
        for (n, key, iv, p, a, c, t) in Self.gcm {
            let cipher = try SymmetricCipher(algorithm: .aes, key: SecretBytes(h(key)), parameters: SymmetricParameters(mode: .gcm))
            let out = try cipher.encrypt(h(p), iv: h(iv), additionalData: h(a))
            XCTAssertEqual(SymmetricVectors.hexString(out.data), c, "GCM test case \(n) ciphertext")
            XCTAssertEqual(out.tag.map(SymmetricVectors.hexString), t, "GCM test case \(n) tag")
            XCTAssertEqual(try cipher.decrypt(h(c), iv: h(iv), additionalData: h(a), tag: h(t)), h(p), "GCM test case \(n) decrypt")

            // A flipped tag bit, ciphertext bit or AAD bit fails with Cryptographic Failure.
            var badTag = h(t)
            badTag[n % 16] ^= 0x01
            assertTagFailure(try cipher.decrypt(h(c), iv: h(iv), additionalData: h(a), tag: badTag), "case \(n) tag")
            if !c.isEmpty {
                var badC = h(c)
                badC[badC.count - 1] ^= 0x80
                assertTagFailure(try cipher.decrypt(badC, iv: h(iv), additionalData: h(a), tag: h(t)), "case \(n) ciphertext")
            }
            if !a.isEmpty {
                var badA = h(a)
                badA[0] ^= 0x01
                assertTagFailure(try cipher.decrypt(h(c), iv: h(iv), additionalData: badA, tag: h(t)), "case \(n) AAD")
            }

            // Truncated tags (12 and 4 bytes) are the leading bytes of the full one.
            for tagLength in [12, 4] {
                let short = try SymmetricCipher(algorithm: .aes, key: SecretBytes(h(key)),
                                                parameters: SymmetricParameters(mode: .gcm, tagLength: tagLength))
                let o = try short.encrypt(h(p), iv: h(iv), additionalData: h(a))
                XCTAssertEqual(o.tag, Array(h(t).prefix(tagLength)), "case \(n) tag length \(tagLength)")
                XCTAssertEqual(try short.decrypt(h(c), iv: h(iv), additionalData: h(a), tag: o.tag), h(p))
                // The full tag is refused when 12 bytes were agreed: no silent truncation either way.
                XCTAssertThrowsError(try short.decrypt(h(c), iv: h(iv), additionalData: h(a), tag: h(t))) {
                    XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField)
                }
            }
        }
    }

    func assertTagFailure(_ body: @autoclosure () throws -> [UInt8], _ what: String, line: UInt = #line) {
        XCTAssertThrowsError(try body(), what, line: line) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .cryptographicFailure, what, line: line)
        }
    }
}
