import Foundation
import SwiftASN1
import X509
@testable import KMIPPKI

enum PKITestSupport {
    static func der(_ certificate: Certificate) throws -> [UInt8] {
        try PEMDocument(pemString: certificate.serializeAsPEM().pemString).derBytes
    }

    static func der(pem: String) throws -> [UInt8] { try PEMDocument(pemString: pem).derBytes }

    /// Subject attributes in encoding order as (short name, value).
    static func attributes(_ name: DistinguishedName) -> [(String, String)] {
        name.flatMap { rdn in
            rdn.map { attribute -> (String, String) in
                let short: String
                switch attribute.type {
                case .RDNAttributeType.commonName: short = "CN"
                case .RDNAttributeType.organizationalUnitName: short = "OU"
                case .RDNAttributeType.organizationName: short = "O"
                default: short = "\(attribute.type)"
                }
                return (short, String(attribute.value) ?? "")
            }
        }
    }
}
