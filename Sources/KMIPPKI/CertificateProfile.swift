import Foundation
import X509

/// Fixed parameters of the certificates the mount issues (reference §3.2).
public enum CertificateProfile {
    public static let rootCommonName = "strongroom-kmip-default"
    public static let intermediateCommonName = "strongroom-kmip-default-intermediate"
    public static let rootPathLength = 10
    public static let intermediatePathLength = 9
    /// CA validity: 3650 days.
    public static let caValidity: TimeInterval = 3650 * 24 * 3600
    /// Every certificate's notBefore is this far before the issue time.
    public static let backdate: TimeInterval = 30

    /// `OU=<scope id>, CN=<role id>`, OU first in the encoding (as Vault's client certificates).
    public static func clientSubject(scopeID: String, roleID: String) throws -> DistinguishedName {
        guard !scopeID.isEmpty, !roleID.isEmpty else {
            throw PKIError(.invalidParameter, "scope and role ids must not be empty")
        }
        return try DistinguishedName {
            OrganizationalUnitName(scopeID)
            CommonName(roleID)
        }
    }
}
