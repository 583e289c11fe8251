import Foundation
@_spi(FixedExpiryValidationTime) import X509
import SwiftASN1

/// A subject attribute an imported CA's mapping may read the scope or role from (Vault 2.0's
/// `scope_field` / `role_field`).
public enum SubjectField: String, Sendable, Hashable, CaseIterable, Codable {
    case cn = "CN", o = "O", ou = "OU", uid = "UID"

    var oid: ASN1ObjectIdentifier {
        switch self {
        case .cn: .RDNAttributeType.commonName
        case .o: .RDNAttributeType.organizationName
        case .ou: .RDNAttributeType.organizationalUnitName
        // X.500 userid (RFC 4519 `uid`).
        case .uid: [0, 9, 2342, 19_200_300, 100, 1, 1]
        }
    }

    /// `CN`, `o`, `Ou`…: the names are case-insensitive; nil for any other attribute.
    public init?(name: String) {
        guard let field = Self(rawValue: name.trimmingCharacters(in: .whitespaces).uppercased()) else { return nil }
        self = field
    }
}

/// An operator's CA (Vault 2.0 `kmip/ca/:name/import`): it only verifies client certificates,
/// it never issues. Every certificate of the bundle must be a CA certificate; each is a trust
/// anchor, so a bundle may hold a root, an intermediate, or both.
public struct ImportedAuthority: Sendable {
    public let certificates: [Certificate]

    /// Parses a PEM bundle. Refuses an empty bundle, a non-CA certificate and anything not PEM.
    public init(pem: String) throws {
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: pem) } catch {
            throw PKIError(.invalidParameter, "ca_pem is not a PEM certificate bundle")
        }
        var certificates: [Certificate] = []
        for document in documents where document.discriminator == "CERTIFICATE" {
            let certificate: Certificate
            do { certificate = try Certificate(derEncoded: document.derBytes) } catch {
                throw PKIError(.invalidParameter, "ca_pem holds a certificate that cannot be parsed")
            }
            guard case .isCertificateAuthority = (try? certificate.extensions.basicConstraints) ?? .notCertificateAuthority else {
                throw PKIError(.invalidParameter, "ca_pem holds \(certificate.subject), which is not a CA certificate (basicConstraints CA:TRUE)")
            }
            certificates.append(certificate)
        }
        guard !certificates.isEmpty else { throw PKIError(.invalidParameter, "ca_pem holds no certificate") }
        guard documents.count == certificates.count else {
            throw PKIError(.invalidParameter, "ca_pem may hold certificates only (no private key or other block)")
        }
        self.certificates = certificates
    }

    /// Each certificate as PEM, in the order given.
    public var pems: [String] { certificates.compactMap { try? $0.serializeAsPEM().pemString } }
    /// The bundle as one PEM text.
    public var pem: String { pems.joined(separator: "\n") + "\n" }
    public var firstSerialNumber: String { SerialNumbers.decimal(certificates[0].serialNumber) }

    /// Verifies a client chain against this CA (RFC 5280 at `now`, clientAuth EKU) and returns the leaf.
    public func verify(leafDER: [UInt8], intermediatesDER: [[UInt8]], now: Date) async throws -> Certificate {
        try await KMIPCA.verifiedLeaf(leafDER: leafDER, intermediatesDER: intermediatesDER, roots: certificates,
                                      knownIntermediates: [], now: now, unchained: "client certificate does not chain to the imported CA")
    }

    /// The one value of `field` in the certificate's subject. Absent, repeated or not text: refused,
    /// so a subject never maps to two scopes or roles.
    public static func value(of field: SubjectField, in certificate: Certificate) throws -> String {
        var found: [String] = []
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == field.oid {
                guard let text = String(attribute.value) else {
                    throw PKIError(.verificationFailed, "client subject \(field.rawValue) is not a text string")
                }
                found.append(text)
            }
        }
        guard found.count == 1, let value = found.first, !value.isEmpty else {
            throw PKIError(.verificationFailed, found.isEmpty
                ? "client subject has no \(field.rawValue)" : "client subject has more than one \(field.rawValue)")
        }
        return value
    }

    public static func serialNumber(of certificate: Certificate) -> String { SerialNumbers.decimal(certificate.serialNumber) }
}
