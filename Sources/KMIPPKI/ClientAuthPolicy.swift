import SwiftASN1
import X509

/// Verifier policy for KMIP client certificates: the leaf carries EKU clientAuth and, if it has a
/// key usage, DigitalSignature; every issuer with a key usage has keyCertSign. Handles the
/// (critical) keyUsage and extendedKeyUsage extensions.
struct ClientAuthPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.keyUsage, .X509ExtensionID.extendedKeyUsage,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let leaf = chain.leaf
        guard let eku = try? leaf.extensions.extendedKeyUsage, eku.contains(.clientAuth) else {
            return .failsToMeetPolicy(reason: "client certificate lacks extended key usage clientAuth")
        }
        do {
            if let usage = try leaf.extensions.keyUsage, !usage.digitalSignature {
                return .failsToMeetPolicy(reason: "client certificate key usage lacks digitalSignature")
            }
            for issuer in chain.dropFirst() {
                if let usage = try issuer.extensions.keyUsage, !usage.keyCertSign {
                    return .failsToMeetPolicy(reason: "issuer \(issuer.subject) key usage lacks keyCertSign")
                }
            }
        } catch {
            return .failsToMeetPolicy(reason: "malformed key usage extension")
        }
        return .meetsPolicy
    }
}
