import KMIP
import XCTest
@testable import KMIPCrypto

final class AsymmetricParametersTests: XCTestCase {
    typealias Keys = AsymmetricTestKeys

    func params(_ build: (inout CryptographicParameters) -> Void) -> CryptographicParameters {
        var p = CryptographicParameters()
        build(&p)
        return p
    }

    func testSignatureSchemes() throws {
        let rsa = Keys.rsa2048, ec = Keys.p256, ed = Keys.ed25519
        XCTAssertEqual(try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .sha256WithRSAEncryptionPKCS1V15 }, key: rsa), .rsaPKCS1v15(.sha256))
        XCTAssertEqual(try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .sha3384WithRSAEncryption }, key: rsa), .rsaPKCS1v15(.sha3384))
        XCTAssertEqual(try SignatureScheme(parameters: params { $0.hashingAlgorithm = .ripemd160 }, key: rsa), .rsaPKCS1v15(.ripemd160))
        XCTAssertEqual(try SignatureScheme(parameters: params { $0.hashingAlgorithm = .sha512224; $0.paddingMethod = .pss }, key: rsa),
                       .rsaPSS(.sha512224, mgf1: nil, saltLength: .digestLength))
        XCTAssertEqual(try SignatureScheme(parameters: params {
            $0.digitalSignatureAlgorithm = .rsassaPSSPKCS1V21; $0.hashingAlgorithm = .sha384
            $0.maskGenerator = .mgf1; $0.maskGeneratorHashingAlgorithm = .sha256; $0.saltLength = 20
        }, key: rsa), .rsaPSS(.sha384, mgf1: .sha256, saltLength: .bytes(20)))
        XCTAssertEqual(try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .ecdsaWithSHA384 }, key: ec), .ecdsa(.sha384))
        XCTAssertEqual(try SignatureScheme(parameters: params { $0.hashingAlgorithm = .sha3256; $0.cryptographicAlgorithm = .ecdsa }, key: ec), .ecdsa(.sha3256))
        XCTAssertEqual(try SignatureScheme(parameters: params { _ in }, key: ed), .ed25519)
        XCTAssertEqual(try SignatureScheme(parameters: params { $0.hashingAlgorithm = .sha512 }, key: ed), .ed25519)

        // No hash named: RSA PKCS#1 v1.5 and ECDSA sign Digested Data as given.
        XCTAssertEqual(try SignatureScheme(parameters: params { _ in }, key: rsa), .rsaPKCS1v15Raw)
        XCTAssertEqual(try SignatureScheme(parameters: params { _ in }, key: ec), .ecdsaPrehashed)
        assertAsymmetricError(.invalidField) { try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .rsassaPSSPKCS1V21 }, key: rsa) }
        assertAsymmetricError(.invalidField) {
            try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .sha256WithRSAEncryptionPKCS1V15; $0.hashingAlgorithm = .sha384 }, key: rsa)
        }
        assertAsymmetricError(.invalidField) {
            try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .sha256WithRSAEncryptionPKCS1V15; $0.paddingMethod = .pss }, key: rsa)
        }
        assertAsymmetricError(.invalidField) { try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .ecdsaWithSHA256 }, key: rsa) }
        assertAsymmetricError(.invalidField) { try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .sha256WithRSAEncryptionPKCS1V15 }, key: ec) }
        assertAsymmetricError(.invalidField) { try SignatureScheme(parameters: params { $0.hashingAlgorithm = .sha256; $0.paddingMethod = .oaep }, key: rsa) }
        assertAsymmetricError(.invalidField) { try SignatureScheme(parameters: params { $0.hashingAlgorithm = .sha256; $0.cryptographicAlgorithm = .rsa }, key: ec) }
        assertAsymmetricError(.invalidField) { try SignatureScheme(parameters: params { $0.hashingAlgorithm = .sha256 }, key: ed) }
        assertAsymmetricError(.invalidField) { try SignatureScheme(parameters: params { $0.paddingMethod = .pss; $0.hashingAlgorithm = .sha256; $0.saltLength = -1 }, key: rsa) }
        assertAsymmetricError(.cryptographicFailure) { try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .dsaWithSHA256 }, key: rsa) }
        // A scheme from parameters signs and verifies.
        let scheme = try SignatureScheme(parameters: params { $0.digitalSignatureAlgorithm = .ecdsaWithSHA256 }, key: ec)
        XCTAssertTrue(try ec.verify(try ec.sign([1, 2, 3], scheme: scheme), message: [1, 2, 3], scheme: scheme))
    }

    func testEncryptionPaddings() throws {
        XCTAssertEqual(try RSAEncryptionPadding(parameters: params { $0.paddingMethod = .pkcs1V15 }), .pkcs1v15)
        XCTAssertEqual(try RSAEncryptionPadding(parameters: params { $0.paddingMethod = .oaep }), .oaep(digest: .sha1, mgf1: nil, label: []))
        XCTAssertEqual(try RSAEncryptionPadding(parameters: params {
            $0.paddingMethod = .oaep; $0.hashingAlgorithm = .sha256; $0.maskGeneratorHashingAlgorithm = .sha1; $0.pSource = ByteString([9, 9])
        }), .oaep(digest: .sha256, mgf1: .sha1, label: [9, 9]))
        assertAsymmetricError(.invalidField) { try RSAEncryptionPadding(parameters: params { _ in }) }
        assertAsymmetricError(.invalidField) { try RSAEncryptionPadding(parameters: params { $0.paddingMethod = .pkcs5 }) }
        assertAsymmetricError(.invalidField) { try RSAEncryptionPadding(parameters: params { $0.paddingMethod = .pss }) }
    }
}
