import Foundation
@_spi(FixedExpiryValidationTime) import X509

/// Who a verified client certificate speaks for: `OU` = scope id, `CN` = role id, and its serial.
public struct ClientIdentity: Sendable, Hashable {
    public let scopeID: String
    public let roleID: String
    /// Decimal text of the certificate serial.
    public let serialNumber: String
    /// Who vouches instead of a listed credential: an imported CA's name (scope and role came from
    /// its subject mapping; the serial is listed nowhere) or ``httpAPI``. Nil for a certificate the
    /// mount issued, whose serial must stay listed under its role.
    public let authority: String?

    /// The ``authority`` of a request made through the HTTP API's KMIP client API (its scope and
    /// role come from the URL, checked against the caller's token and policies).
    public static let httpAPI = "<http-api>"

    public init(scopeID: String, roleID: String, serialNumber: String, authority: String? = nil) {
        self.scopeID = scopeID
        self.roleID = roleID
        self.serialNumber = serialNumber
        self.authority = authority
    }
}

extension KMIPCA {
    /// Verifies a presented client chain for the TLS layer and returns the identity in its subject.
    ///
    /// - Parameters:
    ///   - leafDER: the client's certificate.
    ///   - intermediatesDER: any further certificates the client sent (may be empty; the mount's own
    ///     intermediate is always available for chain building).
    ///   - now: validation time for every certificate's validity period.
    ///   - isRevoked: true when the decimal serial is no longer listed for its role.
    /// - Throws: `.verificationFailed` (unparsable, expired or not yet valid, foreign CA, wrong
    ///   EKU/KU, no `OU`/`CN`), `.revoked`.
    public func verifyClient(
        leafDER: [UInt8],
        intermediatesDER: [[UInt8]] = [],
        now: Date = Date(),
        isRevoked: (String) async -> Bool
    ) async throws -> ClientIdentity {
        let leaf = try await Self.verifiedLeaf(leafDER: leafDER, intermediatesDER: intermediatesDER, roots: [root],
                                         knownIntermediates: [intermediate], now: now,
                                         unchained: "client certificate does not chain to the mount's CA")
        let identity = try Self.identity(of: leaf)
        if await isRevoked(identity.serialNumber) {
            throw PKIError(.revoked, "client certificate \(identity.serialNumber) has been revoked")
        }
        return identity
    }

    /// RFC 5280 path validation at `now` to one of `roots` (through `knownIntermediates` and those
    /// the client sent) under ``ClientAuthPolicy``; the leaf, or `.verificationFailed`.
    static func verifiedLeaf(leafDER: [UInt8], intermediatesDER: [[UInt8]], roots: [Certificate],
                             knownIntermediates: [Certificate], now: Date, unchained: String) async throws -> Certificate {
        let leaf: Certificate
        let presented: [Certificate]
        do {
            leaf = try Certificate(derEncoded: leafDER)
            presented = try intermediatesDER.map { try Certificate(derEncoded: $0) }
        } catch {
            throw PKIError(.verificationFailed, "client certificate is not valid DER")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: now)
            ClientAuthPolicy()
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(knownIntermediates + presented)) {
        case .validCertificate:
            return leaf
        case .couldNotValidate(let failures):
            let reasons = failures.map { $0.policyFailureReason.description }
            throw PKIError(.verificationFailed, reasons.isEmpty ? unchained : "client certificate rejected: " + reasons.joined(separator: "; "))
        }
    }

    /// Reads `OU` (scope id) and `CN` (role id) from a client certificate's subject.
    public static func identity(of certificate: Certificate) throws -> ClientIdentity {
        var scope: String?
        var role: String?
        for rdn in certificate.subject {
            for attribute in rdn {
                switch attribute.type {
                case .RDNAttributeType.organizationalUnitName:
                    guard scope == nil else { throw PKIError(.verificationFailed, "client subject has more than one OU") }
                    scope = String(attribute.value)
                case .RDNAttributeType.commonName:
                    guard role == nil else { throw PKIError(.verificationFailed, "client subject has more than one CN") }
                    role = String(attribute.value)
                default:
                    break
                }
            }
        }
        guard let scope, let role, !scope.isEmpty, !role.isEmpty else {
            throw PKIError(.verificationFailed, "client subject lacks OU (scope id) or CN (role id)")
        }
        return ClientIdentity(scopeID: scope, roleID: role, serialNumber: SerialNumbers.decimal(certificate.serialNumber))
    }
}
