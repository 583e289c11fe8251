import COpenSSL
import Foundation
import KMIP
import XCTest
@testable import KMIPCrypto

final class KeyFormatTests: XCTestCase {
    typealias Keys = AsymmetricTestKeys

    func algorithmAndCurve(_ key: AsymmetricKey) -> (CryptographicAlgorithm, RecommendedCurve?) {
        (key.cryptographicAlgorithm, key.curve?.recommendedCurve)
    }

    // MARK: Generation

    func testGeneratedKeys() throws {
        XCTAssertEqual(Keys.rsa2048.bitLength, 2048)
        XCTAssertEqual(Keys.rsa3072.bitLength, 3072)
        XCTAssertEqual(Keys.rsa4096.bitLength, 4096)
        XCTAssertEqual(Keys.p256.kind, .ec(.p256))
        XCTAssertEqual(Keys.p384.bitLength, 384)
        XCTAssertEqual(Keys.p521.bitLength, 521)
        XCTAssertEqual(Keys.ed25519.kind, .ed25519)
        for key in Keys.all {
            XCTAssertTrue(key.isPrivate, "\(key)")
            XCTAssertNoThrow(try key.validate(), "\(key)")
            let pub = try key.publicKey()
            XCTAssertFalse(pub.isPrivate)
            XCTAssertTrue(pub.publicKeyMatches(key))
            XCTAssertEqual(try pub.subjectPublicKeyInfo(), try key.subjectPublicKeyInfo())
        }
        XCTAssertEqual(try Keys.rsa2048.transparentRSAPublicKey().publicExponent.unsignedMagnitude, [1, 0, 1])
        XCTAssertFalse(Keys.rsa2048.publicKeyMatches(Keys.rsa3072))
        XCTAssertFalse(Keys.p256.publicKeyMatches(try AsymmetricKey.generateEC(curve: .p256)))
    }

    func testGenerationRefusesBadParameters() throws {
        assertAsymmetricError(.invalidField) { try AsymmetricKey.generateRSA(bits: 512) }
        assertAsymmetricError(.invalidField) { try AsymmetricKey.generateRSA(bits: 1023) }
        assertAsymmetricError(.invalidField) { try AsymmetricKey.generateRSA(bits: 4097) }
        // Importable, but not generated; the error says what is offered.
        XCTAssertThrowsError(try AsymmetricKey.generateRSA(bits: 8192)) {
            XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField)
            XCTAssertTrue(($0 as? CryptoError)?.message.contains("1024 to 4096 bits, not 8192") == true, "\($0)")
        }
        assertAsymmetricError(.invalidField) { try AsymmetricKey.generateRSA(bits: 2048, publicExponent: [0x01, 0x00, 0x00]) }
        assertAsymmetricError(.invalidField) { try AsymmetricKey.generateRSA(bits: 2048, publicExponent: [1]) }
        assertAsymmetricError(.invalidField) { try AsymmetricKey.generateRSA(bits: 2048, publicExponent: [1] + [UInt8](repeating: 0, count: 31) + [1]) }
        let e3 = try AsymmetricKey.generateRSA(bits: 1024, publicExponent: [3])
        XCTAssertEqual(e3.bitLength, 1024)
        XCTAssertEqual(try e3.transparentRSAPublicKey().publicExponent.unsignedMagnitude, [3])
        assertAsymmetricError(.cryptographicFailure) { try ECCurve(.p192) }
        assertAsymmetricError(.invalidField) { try AsymmetricKeyKind(.ecdsa) }
        XCTAssertEqual(try AsymmetricKeyKind(.ecdsa, curve: .p384), .ec(.p384))
    }

    func testDescriptionIsRedacted() throws {
        let key = Keys.p256
        let d = AsymmetricVectors.hexString(try key.rawPrivateKey().bytes)
        for text in [String(describing: key), String(reflecting: key)] {
            XCTAssertFalse(text.lowercased().contains(d.prefix(16)), text)
            XCTAssertTrue(text.contains("redacted"), text)
        }
        let mirror = "\(Mirror(reflecting: key).children.map { "\($0)" })"
        XCTAssertFalse(mirror.lowercased().contains(d.prefix(16)), mirror)
        XCTAssertFalse(String(describing: try key.publicKey()).contains("redacted"))
    }

    // MARK: Round trips

    /// Every format a key answers reads back as the same key, for private and public keys.
    func testEveryFormatRoundTrips() throws {
        let expectedPrivate: [AsymmetricKeyKind: Set<KeyFormatType>] = [
            .rsa: [.pkcs1, .pkcs8, .transparentRSAPrivateKey],
            .ec(.p256): [.raw, .pkcs8, .eCPrivateKey, .transparentECPrivateKey, .transparentECDSAPrivateKey, .transparentECDHPrivateKey, .transparentECMQVPrivateKey],
            .ed25519: [.raw, .pkcs8],
        ]
        let expectedPublic: [AsymmetricKeyKind: Set<KeyFormatType>] = [
            .rsa: [.pkcs1, .x509, .transparentRSAPublicKey],
            .ec(.p256): [.raw, .x509, .transparentECPublicKey, .transparentECDSAPublicKey, .transparentECDHPublicKey, .transparentECMQVPublicKey],
            .ed25519: [.raw, .x509],
        ]
        for key in Keys.all {
            let (algorithm, curve) = algorithmAndCurve(key)
            let family: AsymmetricKeyKind = key.curve == nil ? key.kind : .ec(.p256)
            XCTAssertEqual(Set(key.supportedKeyFormats), expectedPrivate[family], "\(key)")
            let pkcs8 = try key.pkcs8()
            for format in key.supportedKeyFormats {
                let material = try key.keyMaterial(format)
                let back = try AsymmetricKey.importing(material, format: format, algorithm: algorithm, curve: curve, isPrivate: true)
                XCTAssertEqual(back.kind, key.kind)
                XCTAssertTrue(back.isPrivate)
                XCTAssertEqual(try back.pkcs8(), pkcs8, "\(key) via \(format)")
                XCTAssertEqual(try back.keyMaterial(format), material, "\(key) via \(format) twice")
                // Without the algorithm, where the format carries it.
                if format != .raw {
                    let again = try AsymmetricKey.importing(material, format: format, algorithm: nil, isPrivate: true)
                    XCTAssertEqual(try again.pkcs8(), pkcs8)
                }
            }
            let pub = try key.publicKey()
            XCTAssertEqual(Set(pub.supportedKeyFormats), expectedPublic[family], "\(pub)")
            let spki = try pub.subjectPublicKeyInfo()
            for format in pub.supportedKeyFormats {
                let material = try pub.keyMaterial(format)
                let back = try AsymmetricKey.importing(material, format: format, algorithm: algorithm, curve: curve, isPrivate: false)
                XCTAssertFalse(back.isPrivate)
                XCTAssertEqual(try back.subjectPublicKeyInfo(), spki, "\(pub) via \(format)")
                XCTAssertTrue(back.publicKeyMatches(key))
            }
        }
    }

    /// Transparent values and DER encodings describe the same numbers.
    func testTransparentAgreesWithDER() throws {
        for key in Keys.rsa {
            let t = try key.transparentRSAPrivateKey()
            let n = t.modulus.unsignedMagnitude
            XCTAssertEqual(n.count * 8, key.bitLength)
            // The modulus appears in the PKCS#1 public key, as INTEGER 00 || n.
            let pkcs1 = try key.pkcs1PublicKey()
            XCTAssertNotNil(find([0x00] + n, in: pkcs1), "modulus not in RSAPublicKey DER")
            // And every private component in the RSAPrivateKey.
            let priv = try key.pkcs1PrivateKey().bytes
            for part in [t.privateExponent, t.p, t.q, t.primeExponentP, t.primeExponentQ, t.crtCoefficient] {
                let m = try XCTUnwrap(part).unsignedMagnitude
                XCTAssertNotNil(find(m, in: priv), "a private component is not in RSAPrivateKey DER")
            }
            // The same key from just n, e, p, q (d and CRT values computed).
            var minimal = TransparentRSAPrivateKey()
            minimal.modulus = t.modulus
            minimal.publicExponent = t.publicExponent
            minimal.p = t.p
            minimal.q = t.q
            let rebuilt = try AsymmetricKey(transparent: minimal)
            XCTAssertTrue(rebuilt.publicKeyMatches(key))
            // d may differ (e⁻¹ mod λ(n) instead of mod φ(n)) but the CRT values are the same.
            let rt = try rebuilt.transparentRSAPrivateKey()
            XCTAssertEqual(rt.primeExponentP, t.primeExponentP)
            XCTAssertEqual(rt.primeExponentQ, t.primeExponentQ)
            XCTAssertEqual(rt.crtCoefficient, t.crtCoefficient)
        }
        for key in Keys.ec {
            let curve = try XCTUnwrap(key.curve)
            let t = try key.transparentECPublicKey()
            XCTAssertEqual(t.recommendedCurve, curve.recommendedCurve)
            XCTAssertEqual(t.qString.count, 1 + 2 * curve.scalarLength)
            XCTAssertEqual(t.qString.bytes.first, 0x04)
            // SubjectPublicKeyInfo ends with the BIT STRING holding the point.
            XCTAssertEqual(Array(try key.subjectPublicKeyInfo().suffix(t.qString.count)), t.qString.bytes)
            // The scalar is in the ECPrivateKey and the PKCS#8.
            let d = try key.rawPrivateKey().bytes
            XCTAssertEqual(d.count, curve.scalarLength)
            XCTAssertEqual(try key.transparentECPrivateKey().d, BigInteger(unsigned: d))
            XCTAssertNotNil(find(d, in: try key.ecPrivateKey().bytes))
            XCTAssertNotNil(find(d, in: try key.pkcs8().bytes))
        }
        let ed = Keys.ed25519
        XCTAssertEqual(Array(try ed.subjectPublicKeyInfo().suffix(32)), try ed.rawPublicKey())
        XCTAssertEqual(Array(try ed.pkcs8().bytes.suffix(32)), try ed.rawPrivateKey().bytes)
        // RFC 8032 test 1: the public key follows from the private key.
        let seed = AsymmetricVectors.hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let rfc = try AsymmetricKey(raw: seed, kind: .ed25519, isPrivate: true)
        XCTAssertEqual(AsymmetricVectors.hexString(try rfc.rawPublicKey()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    }

    /// A Raw EC private scalar gives the public point d·G: P-256 with d = 1 gives the generator.
    func testECPublicPointIsComputed() throws {
        let one = [UInt8](repeating: 0, count: 31) + [1]
        let key = try AsymmetricKey(raw: one, kind: .ec(.p256), isPrivate: true)
        XCTAssertEqual(AsymmetricVectors.hexString(try key.rawPublicKey()),
                       "04" + "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
                            + "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
    }

    // MARK: Malformed and inconsistent keys

    func testTruncatedAndPaddedDERIsRejected() throws {
        for key in [Keys.rsa2048, Keys.p384, Keys.ed25519] {
            let encodings: [(String, [UInt8], ([UInt8]) throws -> AsymmetricKey)] = [
                ("PKCS#8", try key.pkcs8().bytes, { try AsymmetricKey(pkcs8: $0) }),
                ("SPKI", try key.subjectPublicKeyInfo(), { try AsymmetricKey(subjectPublicKeyInfo: $0) }),
            ] + (key.kind == .rsa ? [
                ("PKCS#1 private", try key.pkcs1PrivateKey().bytes, { try AsymmetricKey(pkcs1PrivateKey: $0) }),
                ("PKCS#1 public", try key.pkcs1PublicKey(), { try AsymmetricKey(pkcs1PublicKey: $0) }),
            ] : []) + (key.curve != nil ? [("ECPrivateKey", try key.ecPrivateKey().bytes, { try AsymmetricKey(ecPrivateKey: $0) })] : [])
            for (name, der, decode) in encodings {
                XCTAssertNoThrow(try decode(der), name)
                let cuts = Set([0, 1, 2, 3, der.count / 2, der.count - 2, der.count - 1])
                for cut in cuts.sorted() {
                    assertAsymmetricError(.invalidField, "\(name) truncated to \(cut)") { try decode(Array(der.prefix(cut))) }
                }
                assertAsymmetricError(.invalidField, "\(name) with a trailing byte") { try decode(der + [0]) }
                var flipped = der
                flipped[0] ^= 0x01
                assertAsymmetricError(.invalidField, "\(name) with a wrong tag") { try decode(flipped) }
            }
            // A public structure where a private one is expected, and the other way.
            assertAsymmetricError(.invalidField) { try AsymmetricKey(pkcs8: try key.subjectPublicKeyInfo()) }
            assertAsymmetricError(.invalidField) { try AsymmetricKey(subjectPublicKeyInfo: try key.pkcs8().bytes) }
        }
    }

    func testInconsistentRSAKeysAreRejected() throws {
        let t = try Keys.rsa2048.transparentRSAPrivateKey()
        func bump(_ v: BigInteger?) -> BigInteger {
            var m = v!.unsignedMagnitude
            m[m.count - 1] ^= 0x02 // keeps odd numbers odd
            return BigInteger(unsigned: m)
        }
        var wrongD = t; wrongD.privateExponent = bump(t.privateExponent)
        var wrongN = t; wrongN.modulus = bump(t.modulus)
        var wrongE = t; wrongE.publicExponent = BigInteger(unsigned: [0x01, 0x00, 0x03])
        var wrongP = t; wrongP.p = bump(t.p)
        var wrongCRT = t; wrongCRT.crtCoefficient = bump(t.crtCoefficient)
        var wrongDP = t; wrongDP.primeExponentP = bump(t.primeExponentP)
        var noQ = t; noQ.q = nil
        var noE = t; noE.publicExponent = nil
        var negative = t; negative.modulus = BigInteger(encoded: [0xFF] + t.modulus.bytes.dropFirst())
        for (name, bad) in [("d", wrongD), ("n", wrongN), ("e", wrongE), ("p", wrongP), ("qInv", wrongCRT), ("dP", wrongDP),
                            ("no q", noQ), ("no e", noE), ("negative n", negative)] {
            assertAsymmetricError(.invalidField, name) { try AsymmetricKey(transparent: bad) }
            assertAsymmetricError(.invalidField, name) {
                try AsymmetricKey.importing(.transparentRSAPrivateKey(bad), format: .transparentRSAPrivateKey, algorithm: .rsa, isPrivate: true)
            }
        }
        // Public keys: even modulus, even exponent, small modulus.
        let pub = try Keys.rsa2048.transparentRSAPublicKey()
        var even = pub; even.modulus = BigInteger(unsigned: Array(pub.modulus.unsignedMagnitude.dropLast()) + [0x02])
        var evenE = pub; evenE.publicExponent = BigInteger(unsigned: [0x01, 0x00, 0x00])
        var small = pub; small.modulus = BigInteger(unsigned: Array(pub.modulus.unsignedMagnitude.prefix(64)))
        for (name, bad) in [("even n", even), ("even e", evenE), ("512-bit n", small)] {
            assertAsymmetricError(.invalidField, name) { try AsymmetricKey(transparent: bad) }
        }
        XCTAssertNoThrow(try AsymmetricKey(transparent: pub))
    }

    /// Oversized RSA components are refused by their size, before any arithmetic or primality test
    /// on them (the message names the component: the refusal came from the size check).
    func testRSAComponentSizesAreCheckedFirst() throws {
        let t = try Keys.rsa2048.transparentRSAPrivateKey()
        func odd(bits: Int) -> BigInteger {
            var m = [UInt8](repeating: 0xA5, count: (bits + 7) / 8)
            m[0] = 0x80 >> UInt8((8 - bits % 8) % 8)
            m[m.count - 1] |= 1
            return BigInteger(unsigned: m)
        }
        // 2048-bit modulus: primes up to 1024 + 32 bits, the rest up to 2048 bits.
        var bigP = t; bigP.p = odd(bits: 1100)
        var bigQ = t; bigQ.q = odd(bits: 1100)
        var hugeP = t; hugeP.p = odd(bits: 200_000); hugeP.privateExponent = nil // would be gcd, mul, inverse of 200k bits
        var bigD = t; bigD.privateExponent = odd(bits: 2056)
        var bigDP = t; bigDP.primeExponentP = odd(bits: 2056)
        var bigDQ = t; bigDQ.primeExponentQ = odd(bits: 2056)
        var bigQInv = t; bigQInv.crtCoefficient = odd(bits: 2056)
        var bigE = t; bigE.publicExponent = BigInteger(unsigned: [1] + [UInt8](repeating: 0, count: 31) + [1]) // 2^256 + 1
        var bigN = t; bigN.modulus = odd(bits: 8200)
        let started = Date()
        for (name, bad, says) in [("P", bigP, "prime P"), ("Q", bigQ, "prime Q"), ("huge P", hugeP, "prime P"),
                                  ("d", bigD, "Private Exponent"), ("dP", bigDP, "Prime Exponent P"), ("dQ", bigDQ, "Prime Exponent Q"),
                                  ("qInv", bigQInv, "CRT Coefficient"), ("e", bigE, "public exponent"), ("n", bigN, "8200 bits are not accepted")] {
            XCTAssertThrowsError(try AsymmetricKey(transparent: bad), name) {
                XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField, name)
                XCTAssertTrue("\($0)".contains(says), "\(name): \($0)")
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "size checks come before the arithmetic")

        // The same through DER (PKCS#1 RSAPrivateKey, PKCS#1 RSAPublicKey), where OpenSSL would
        // otherwise run its primality tests on the oversized values.
        func der(_ values: [BigInteger]) -> [UInt8] {
            DER.sequence(values.map { DER.integer($0.unsignedMagnitude) })
        }
        func privateDER(_ k: TransparentRSAPrivateKey) -> [UInt8] {
            DER.sequence([DER.integer([])] + [k.modulus, k.publicExponent!, k.privateExponent!, k.p!, k.q!,
                                              k.primeExponentP!, k.primeExponentQ!, k.crtCoefficient!].map { DER.integer($0.unsignedMagnitude) })
        }
        XCTAssertNoThrow(try AsymmetricKey(pkcs1PrivateKey: privateDER(t)), "the DER builder makes a valid key")
        XCTAssertEqual(privateDER(t), try Keys.rsa2048.pkcs1PrivateKey().bytes)
        for (name, bad, says) in [("P", bigP, "factor 1"), ("Q", bigQ, "factor 2"), ("d", bigD, "private exponent"),
                                  ("dP", bigDP, "CRT exponent 1"), ("qInv", bigQInv, "CRT coefficient 1"), ("e", bigE, "public exponent")] {
            XCTAssertThrowsError(try AsymmetricKey(pkcs1PrivateKey: privateDER(bad)), "DER \(name)") {
                XCTAssertEqual(($0 as? CryptoError)?.reason, .invalidField, name)
                XCTAssertTrue("\($0)".contains(says), "DER \(name): \($0)")
            }
        }
        // Public keys: the exponent bound (OpenSSL's own check accepts any odd e > 1) and the
        // modulus cap of 8192 bits, in PKCS#1, SPKI and PKCS#8 alike.
        let pub = try Keys.rsa2048.transparentRSAPublicKey()
        let bigEPublic = der([pub.modulus, bigE.publicExponent!])
        XCTAssertNoThrow(try AsymmetricKey(pkcs1PublicKey: der([pub.modulus, pub.publicExponent])))
        for (name, bytes) in [("e = 2^256 + 1", bigEPublic), ("8200-bit n", der([odd(bits: 8200), pub.publicExponent]))] {
            assertAsymmetricError(.invalidField, "PKCS#1 \(name)") { try AsymmetricKey(pkcs1PublicKey: bytes) }
            assertAsymmetricError(.invalidField, "SPKI \(name)") { try AsymmetricKey(subjectPublicKeyInfo: DER.rsaSPKI(bytes)) }
        }
        XCTAssertNoThrow(try AsymmetricKey(subjectPublicKeyInfo: DER.rsaSPKI(der([pub.modulus, pub.publicExponent]))))
        XCTAssertEqual(DER.rsaSPKI(try Keys.rsa2048.pkcs1PublicKey()), try Keys.rsa2048.subjectPublicKeyInfo())
        // A private key with e = 2^256 + 1 in PKCS#8 (d is then wrong too, but e is refused first).
        assertAsymmetricError(.invalidField) { try AsymmetricKey(pkcs8: DER.rsaPKCS8(privateDER(bigE))) }
        XCTAssertEqual(DER.rsaPKCS8(privateDER(t)), try Keys.rsa2048.pkcs8().bytes)
        XCTAssertEqual(CryptoLimits.rsaImportBitLengths, 1024...8192)
    }

    /// A successful import, export, signature, verification or decryption leaves nothing on the
    /// thread's OpenSSL error queue (where a later failure would pick it up as its reason).
    func testSuccessLeavesTheErrorQueueEmpty() throws {
        ERR_clear_error()
        func assertClean(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
            let code = ERR_peek_error()
            XCTAssertEqual(code, 0, "\(what) left \(ERR_reason_error_string(code).map { String(cString: $0) } ?? "an error")", file: file, line: line)
            ERR_clear_error()
        }
        for key in Keys.all {
            let (algorithm, curve) = algorithmAndCurve(key)
            for (isPrivate, k) in [(true, key), (false, try key.publicKey())] {
                for format in k.supportedKeyFormats {
                    let material = try k.keyMaterial(format)
                    assertClean("export of \(k) as \(format)")
                    _ = try AsymmetricKey.importing(material, format: format, algorithm: algorithm, curve: curve, isPrivate: isPrivate)
                    assertClean("import of \(k) as \(format)")
                }
                _ = try k.pem()
                assertClean("PEM of \(k)")
            }
            let scheme: SignatureScheme = switch key.kind {
            case .rsa: .rsaPSS(.sha256)
            case .ec: .ecdsa(.sha384)
            case .ed25519: .ed25519
            }
            let signature = try key.sign([1, 2, 3], scheme: scheme)
            assertClean("signature with \(key)")
            XCTAssertTrue(try key.publicKey().verify(signature, message: [1, 2, 3], scheme: scheme))
            assertClean("verification with \(key)")
        }
        let rsa = Keys.rsa2048
        for padding in [RSAEncryptionPadding.pkcs1v15, .oaep(digest: .sha256)] {
            let ct = try rsa.encrypt([9, 9], padding: padding)
            XCTAssertEqual(try rsa.decrypt(ct, padding: padding).bytes, [9, 9])
            assertClean("\(padding) decryption")
        }
        _ = try AsymmetricKey.generateEC(curve: .p256)
        assertClean("EC generation")

        // Decoders that OpenSSL tries before the one that matches may leave entries (OpenSSL
        // versions differ): a successful import leaves the queue empty whatever it held. Here the
        // entry is a failed fetch's, standing in for a failed decoder's.
        let encodings: [(String, [UInt8], ([UInt8]) throws -> AsymmetricKey)] = [
            ("PKCS#8", try rsa.pkcs8().bytes, { try AsymmetricKey(pkcs8: $0) }),
            ("PKCS#1 private", try rsa.pkcs1PrivateKey().bytes, { try AsymmetricKey(pkcs1PrivateKey: $0) }),
            ("PKCS#1 public", try rsa.pkcs1PublicKey(), { try AsymmetricKey(pkcs1PublicKey: $0) }),
            ("SPKI", try Keys.ed25519.subjectPublicKeyInfo(), { try AsymmetricKey(subjectPublicKeyInfo: $0) }),
            ("ECPrivateKey", try Keys.p384.ecPrivateKey().bytes, { try AsymmetricKey(ecPrivateKey: $0) }),
        ]
        for (name, der, decode) in encodings {
            XCTAssertNil(EVP_MD_fetch(nil, "NO-SUCH-DIGEST", nil))
            XCTAssertNotEqual(ERR_peek_error(), 0)
            _ = try decode(der)
            assertClean("\(name) import after a failed decoder")
        }
    }

    func testInvalidECKeysAreRejected() throws {
        for key in Keys.ec {
            let curve = try XCTUnwrap(key.curve)
            var t = try key.transparentECPublicKey()
            var q = t.qString.bytes
            q[q.count - 1] ^= 0x01 // y changes: not on the curve
            t.qString = ByteString(q)
            assertAsymmetricError(.invalidField, "\(curve) point off the curve") { try AsymmetricKey(transparent: t) }
            assertAsymmetricError(.invalidField, "\(curve) raw point off the curve") { try AsymmetricKey(raw: q, kind: .ec(curve), isPrivate: false) }
            assertAsymmetricError(.invalidField, "\(curve) truncated point") { try AsymmetricKey(raw: Array(q.dropLast()), kind: .ec(curve), isPrivate: false) }
            // The point at infinity.
            assertAsymmetricError(.invalidField, "\(curve) infinity") { try AsymmetricKey(raw: [0x00], kind: .ec(curve), isPrivate: false) }
            // A point of another curve.
            let other = curve == .p256 ? Keys.p384 : Keys.p256
            assertAsymmetricError(.invalidField, "\(curve) other curve's point") { try AsymmetricKey(raw: try other.rawPublicKey(), kind: .ec(curve), isPrivate: false) }
            // The SPKI with the point altered.
            var spki = try key.subjectPublicKeyInfo()
            spki[spki.count - 1] ^= 0x01
            assertAsymmetricError(.invalidField, "\(curve) SPKI off the curve") { try AsymmetricKey(subjectPublicKeyInfo: spki) }
            // Scalars 0, n and too long.
            var zero = TransparentECPrivateKey(); zero.recommendedCurve = curve.recommendedCurve; zero.d = BigInteger(unsigned: [0])
            assertAsymmetricError(.invalidField, "\(curve) d = 0") { try AsymmetricKey(transparent: zero) }
            var big = zero; big.d = BigInteger(unsigned: [UInt8](repeating: 0xFF, count: curve.scalarLength))
            assertAsymmetricError(.invalidField, "\(curve) d ≥ n") { try AsymmetricKey(transparent: big) }
            assertAsymmetricError(.invalidField, "\(curve) raw scalar too short") { try AsymmetricKey(raw: [1], kind: .ec(curve), isPrivate: true) }
            // Compressed points are accepted on import.
            let uncompressed = try key.rawPublicKey()
            let x = Array(uncompressed[1...curve.scalarLength])
            let compressed = [UInt8(0x02 | (uncompressed.last! & 1))] + x
            XCTAssertEqual(try AsymmetricKey(raw: compressed, kind: .ec(curve), isPrivate: false).rawPublicKey(), uncompressed)
        }
        // An ECPrivateKey whose embedded public key belongs to another key.
        var der = try Keys.p256.ecPrivateKey().bytes
        let otherPoint = try AsymmetricKey.generateEC(curve: .p256).rawPublicKey()
        XCTAssertEqual(Array(der.suffix(65)), try Keys.p256.rawPublicKey())
        der.replaceSubrange((der.count - 65)..., with: otherPoint)
        assertAsymmetricError(.invalidField, "ECPrivateKey with another key's point") { try AsymmetricKey(ecPrivateKey: der) }
        assertAsymmetricError(.invalidField) { try AsymmetricKey(raw: [1, 2, 3], kind: .ed25519, isPrivate: true) }
        assertAsymmetricError(.invalidField) { try AsymmetricKey(raw: [UInt8](repeating: 0, count: 33), kind: .ed25519, isPrivate: false) }
    }

    func testFormatAndKindMismatches() throws {
        let rsa = Keys.rsa2048, ec = Keys.p256, ed = Keys.ed25519
        // Formats that do not exist for the kind or side.
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.keyMaterial(.raw) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.keyMaterial(.x509) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.keyMaterial(.transparentECPrivateKey) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.keyMaterial(.opaque) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.keyMaterial(.transparentSymmetricKey) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.publicKey().keyMaterial(.pkcs8) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.publicKey().keyMaterial(.transparentRSAPrivateKey) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try ec.keyMaterial(.pkcs1) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try ec.keyMaterial(.transparentRSAPrivateKey) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try ed.keyMaterial(.transparentECPrivateKey) }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try ed.keyMaterial(.eCPrivateKey) }
        assertAsymmetricError(.keyFormatTypeNotSupported) {
            try AsymmetricKey.importing(.byteString(ByteString(try rsa.pkcs8().bytes)), format: .pkcs12, algorithm: .rsa, isPrivate: true)
        }
        assertAsymmetricError(.keyFormatTypeNotSupported) {
            try AsymmetricKey.importing(.byteString(ByteString(try rsa.subjectPublicKeyInfo())), format: .x509, algorithm: .rsa, isPrivate: true)
        }
        assertAsymmetricError(.keyFormatTypeNotSupported) {
            try AsymmetricKey.importing(.byteString(ByteString(try rsa.pkcs8().bytes)), format: .pkcs8, algorithm: .rsa, isPrivate: false)
        }
        assertAsymmetricError(.keyFormatTypeNotSupported) {
            try AsymmetricKey.importing(.byteString(ByteString([1, 2, 3])), format: .raw, algorithm: .rsa, isPrivate: true)
        }
        // Key material that contradicts the stated algorithm, curve or side.
        assertAsymmetricError(.invalidField) {
            try AsymmetricKey.importing(.byteString(ByteString(try rsa.pkcs8().bytes)), format: .pkcs8, algorithm: .ecdsa, curve: .p256, isPrivate: true)
        }
        assertAsymmetricError(.invalidField) {
            try AsymmetricKey.importing(.byteString(ByteString(try ec.pkcs8().bytes)), format: .pkcs8, algorithm: .ec, curve: .p384, isPrivate: true)
        }
        assertAsymmetricError(.invalidField) {
            try AsymmetricKey.importing(.byteString(ByteString(try ed.subjectPublicKeyInfo())), format: .x509, algorithm: .rsa, isPrivate: false)
        }
        assertAsymmetricError(.invalidField) {
            try AsymmetricKey.importing(.transparentRSAPublicKey(try rsa.transparentRSAPublicKey()), format: .pkcs1, algorithm: .rsa, isPrivate: false)
        }
        assertAsymmetricError(.invalidField) {
            try AsymmetricKey.importing(.byteString(ByteString(try ec.rawPrivateKey().bytes)), format: .raw, algorithm: .ec, isPrivate: true)
        }
        // PKCS#1 RSAPublicKey given as a private key.
        assertAsymmetricError(.invalidField) {
            try AsymmetricKey.importing(.byteString(ByteString(try rsa.pkcs1PublicKey())), format: .pkcs1, algorithm: .rsa, isPrivate: true)
        }
        // Private-only encodings on public keys.
        assertAsymmetricError(.keyFormatTypeNotSupported) { try rsa.publicKey().pkcs8() }
        assertAsymmetricError(.keyFormatTypeNotSupported) { try ec.publicKey().rawPrivateKey() }
    }

    func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// A little DER, enough to build RSA keys with chosen components.
enum DER {
    static func length(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var v = n
        while v > 0 { bytes.insert(UInt8(v & 0xFF), at: 0); v >>= 8 }
        return [0x80 | UInt8(bytes.count)] + bytes
    }
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + length(content.count) + content }
    /// A non-negative INTEGER from its big-endian magnitude (empty: zero).
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        let m = Array(magnitude.drop(while: { $0 == 0 }))
        if m.isEmpty { return tlv(0x02, [0]) }
        return tlv(0x02, m[0] & 0x80 != 0 ? [0] + m : m)
    }
    static func sequence(_ parts: [[UInt8]]) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
    /// AlgorithmIdentifier rsaEncryption with NULL parameters.
    static let rsaEncryption: [UInt8] = sequence([[0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01], [0x05, 0x00]])
    static func rsaSPKI(_ pkcs1Public: [UInt8]) -> [UInt8] { sequence([rsaEncryption, tlv(0x03, [0] + pkcs1Public)]) }
    static func rsaPKCS8(_ pkcs1Private: [UInt8]) -> [UInt8] { sequence([integer([]), rsaEncryption, tlv(0x04, pkcs1Private)]) }
}

/// `AsymmetricKey.loadingStoredKey`: the full OpenSSL check is skipped only inside its scope.
final class StoredKeyLoadingTests: XCTestCase {
    func testInconsistentKeyIsRefusedFromClientsAndLoadedOnlyAsAStoredKey() throws {
        let key = try AsymmetricKey.generateRSA(bits: 2048)
        guard case .transparentRSAPrivateKey(var t) = try key.keyMaterial(.transparentRSAPrivateKey),
              var d = t.privateExponent?.bytes else { return XCTFail("no transparent RSA key") }
        d[d.count - 1] ^= 0x02   // d·e ≢ 1 (mod λ(n)), same size: only OpenSSL's full check notices
        t.privateExponent = BigInteger(encoded: d)
        XCTAssertThrowsError(try AsymmetricKey.importing(.transparentRSAPrivateKey(t), format: .transparentRSAPrivateKey,
                                                         algorithm: .rsa, isPrivate: true), "client input is fully checked")
        let loaded = try AsymmetricKey.$loadingStoredKey.withValue(true) {
            try AsymmetricKey.importing(.transparentRSAPrivateKey(t), format: .transparentRSAPrivateKey,
                                        algorithm: .rsa, isPrivate: true)
        }
        XCTAssertEqual(loaded.bitLength, 2048)
        XCTAssertFalse(AsymmetricKey.loadingStoredKey, "the flag does not outlive its scope")
    }
}
