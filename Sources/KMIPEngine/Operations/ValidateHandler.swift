import Foundation
import KMIP
import KMIPCrypto
import KMIPStore
@_spi(FixedExpiryValidationTime) import X509

extension ValidateRequestPayload: EngineOperation {
    // Vault has no operation_ flag for Validate: only operation_all allows it. It reads only.
    static let declaration = OperationDeclaration(.validate, roleFlag: nil, undo: .reversible)
    var auditedObjects: AuditedObjects { .objects(uniqueIdentifiers) }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> ValidateResponsePayload {
        try await engine.validate(self, &context)
    }
}

extension KMIPEngine {
    /// Most certificates one Validate takes (inline and by Unique Identifier together).
    static let maxValidatedChainLength = 16

    /// Validate (KMIP 1.4 §4.24): whether the certificates given inline and named by Unique
    /// Identifier form one X.509 chain valid at the Validity Date (default: now). The spec leaves
    /// the policy and the order to the server. Here: the certificates, in any order, must form a
    /// single path from one end-entity certificate to a self-signed root among them, each
    /// signature verifying and every certificate meeting RFC 5280 (validity period, basic and name
    /// constraints) — Valid; a path that breaks, or certificates left off it — Invalid; no
    /// self-signed root to anchor the path — Unknown, since trust in a root is the client's to judge.
    func validate(_ request: ValidateRequestPayload, _ context: inout OperationContext) async throws -> ValidateResponsePayload {
        var supplied = request.certificates
        guard supplied.count + request.uniqueIdentifiers.count <= Self.maxValidatedChainLength else {
            throw KMIPError(.invalidField, "Validate takes at most \(Self.maxValidatedChainLength) certificates")
        }
        for uid in request.uniqueIdentifiers {
            let record = try await record(uid, context)
            guard !record.state.isDestroyed, case .certificate(let certificate)? = try record.value() else {
                throw KMIPError(.invalidObjectType, "object \(uid) is not a Certificate")
            }
            supplied.append(certificate)
        }
        guard !supplied.isEmpty else { throw KMIPError(.missingData, "Validate needs at least one Certificate") }
        let chain = try supplied.map(Self.x509)
        let time = Date(timeIntervalSince1970: TimeInterval((request.validityDate ?? context.now).secondsSince1970))
        var response = ValidateResponsePayload()
        response.validityIndicator = await Self.validity(of: chain, at: time)
        return response
    }

    static func x509(_ certificate: KMIP.Certificate) throws -> X509.Certificate {
        guard certificate.certificateType == .x509 else {
            throw KMIPError(.invalidField, "Validate checks X.509 certificates, not \(certificate.certificateType.name ?? "this type")")
        }
        guard certificate.certificateValue.count <= CryptoLimits.maxCertificateLength else {
            throw KMIPError(.invalidField, "a certificate is at most \(CryptoLimits.maxCertificateLength) bytes")
        }
        do {
            return try X509.Certificate(derEncoded: certificate.certificateValue.bytes)
        } catch {
            throw KMIPError(.invalidField, "a Certificate Value is not a DER X.509 certificate")
        }
    }

    static func validity(of certificates: [X509.Certificate], at time: Date) async -> ValidityIndicator {
        let distinct = Array(Set(certificates))
        // The end entity: the one certificate that issued none of the others.
        let leaves = distinct.filter { candidate in
            !distinct.contains { $0 != candidate && $0.issuer == candidate.subject }
        }
        guard leaves.count == 1, let leaf = leaves.first else { return .invalid }
        let roots = distinct.filter { $0.subject == $0.issuer }
        guard !roots.isEmpty else { return .unknown }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
        }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(distinct)) {
        case .validCertificate(let path) where Set(path) == Set(distinct): return .valid
        default: return .invalid
        }
    }
}
