/// Name (§3.2): a name that identifies and locates an object.
public struct Name: AttributeStructure, Hashable {
    public static let attributeName = "Name"
    public var nameValue = ""
    public var nameType = NameType.uninterpretedTextString
    public init() {}
    public init(_ value: String, type: NameType = .uninterpretedTextString) { nameValue = value; nameType = type }
    public static let fields: [Field<Self>] = [
        .required(.nameValue, \.nameValue),
        .required(.nameType, \.nameType),
    ]
}

/// Link (§3.35): a typed reference to another object by its Unique Identifier.
public struct Link: AttributeStructure, Hashable {
    public static let attributeName = "Link"
    public var linkType = LinkType.publicKeyLink
    public var linkedObjectIdentifier = ""
    public init() {}
    public init(_ type: LinkType, _ linkedObjectIdentifier: String) { linkType = type; self.linkedObjectIdentifier = linkedObjectIdentifier }
    public static let fields: [Field<Self>] = [
        .required(.linkType, \.linkType),
        .required(.linkedObjectIdentifier, \.linkedObjectIdentifier),
    ]
}

/// Cryptographic Parameters (§3.6): how to use a key; also a parameter of cryptographic operations.
public struct CryptographicParameters: AttributeStructure, Hashable {
    public static let attributeName = "Cryptographic Parameters"
    public var blockCipherMode: BlockCipherMode?
    public var paddingMethod: PaddingMethod?
    public var hashingAlgorithm: HashingAlgorithm?
    public var keyRoleType: KeyRoleType?
    public var digitalSignatureAlgorithm: DigitalSignatureAlgorithm?
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    /// Asks the server to generate the IV.
    public var randomIV: Bool?
    /// In bits.
    public var ivLength: Int32?
    /// In bytes (GCM, CCM).
    public var tagLength: Int32?
    public var fixedFieldLength: Int32?
    public var invocationFieldLength: Int32?
    public var counterLength: Int32?
    public var initialCounterValue: Int32?
    public var saltLength: Int32?
    public var maskGenerator: MaskGenerator?
    public var maskGeneratorHashingAlgorithm: HashingAlgorithm?
    public var pSource: ByteString?
    public var trailerField: Int32?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.blockCipherMode, \.blockCipherMode),
        .optional(.paddingMethod, \.paddingMethod),
        .optional(.hashingAlgorithm, \.hashingAlgorithm),
        .optional(.keyRoleType, \.keyRoleType),
        .optional(.digitalSignatureAlgorithm, \.digitalSignatureAlgorithm, since: .v1_2),
        .optional(.cryptographicAlgorithm, \.cryptographicAlgorithm, since: .v1_2),
        .optional(.randomIV, \.randomIV, since: .v1_2),
        .optional(.ivLength, \.ivLength, since: .v1_2),
        .optional(.tagLength, \.tagLength, since: .v1_2),
        .optional(.fixedFieldLength, \.fixedFieldLength, since: .v1_2),
        .optional(.invocationFieldLength, \.invocationFieldLength, since: .v1_2),
        .optional(.counterLength, \.counterLength, since: .v1_2),
        .optional(.initialCounterValue, \.initialCounterValue, since: .v1_2),
        .optional(.saltLength, \.saltLength, since: .v1_4),
        .optional(.maskGenerator, \.maskGenerator, since: .v1_4),
        .optional(.maskGeneratorHashingAlgorithm, \.maskGeneratorHashingAlgorithm, since: .v1_4),
        .optional(.pSource, \.pSource, since: .v1_4),
        .optional(.trailerField, \.trailerField, since: .v1_4),
    ]
}

/// Cryptographic Domain Parameters (§3.7): for Create Key Pair (Qlength for DSA/DH, a curve for EC).
public struct CryptographicDomainParameters: AttributeStructure, Hashable {
    public static let attributeName = "Cryptographic Domain Parameters"
    /// Bit length of Q.
    public var qlength: Int32?
    public var recommendedCurve: RecommendedCurve?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.qlength, \.qlength),
        .optional(.recommendedCurve, \.recommendedCurve),
    ]
}

/// X.509 Certificate Identifier (§3.10, since 1.1): issuer and serial number, DER bytes.
public struct X509CertificateIdentifier: AttributeStructure, Hashable {
    public static let attributeName = "X.509 Certificate Identifier"
    public var issuerDistinguishedName = ByteString([])
    public var certificateSerialNumber = ByteString([])
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.issuerDistinguishedName, \.issuerDistinguishedName),
        .required(.certificateSerialNumber, \.certificateSerialNumber),
    ]
}

/// X.509 Certificate Subject (§3.11, since 1.1).
public struct X509CertificateSubject: AttributeStructure, Hashable {
    public static let attributeName = "X.509 Certificate Subject"
    /// May be empty, then at least one alternative name.
    public var subjectDistinguishedName = ByteString([])
    public var subjectAlternativeNames: [ByteString] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.subjectDistinguishedName, \.subjectDistinguishedName),
        .repeated(.subjectAlternativeName, \.subjectAlternativeNames),
    ]
}

/// X.509 Certificate Issuer (§3.12, since 1.1).
public struct X509CertificateIssuer: AttributeStructure, Hashable {
    public static let attributeName = "X.509 Certificate Issuer"
    public var issuerDistinguishedName = ByteString([])
    public var issuerAlternativeNames: [ByteString] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.issuerDistinguishedName, \.issuerDistinguishedName),
        .repeated(.issuerAlternativeName, \.issuerAlternativeNames),
    ]
}

/// Certificate Identifier (§3.13, deprecated since 1.1): issuer and serial number as text.
public struct CertificateIdentifier: AttributeStructure, Hashable {
    public static let attributeName = "Certificate Identifier"
    public var issuer = ""
    /// Absent for PGP certificates.
    public var serialNumber: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.issuer, \.issuer),
        .optional(.serialNumber, \.serialNumber),
    ]
}

/// Certificate Subject (§3.14, deprecated since 1.1).
public struct CertificateSubject: AttributeStructure, Hashable {
    public static let attributeName = "Certificate Subject"
    public var certificateSubjectDistinguishedName = ""
    public var certificateSubjectAlternativeNames: [String] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.certificateSubjectDistinguishedName, \.certificateSubjectDistinguishedName),
        .repeated(.certificateSubjectAlternativeName, \.certificateSubjectAlternativeNames),
    ]
}

/// Certificate Issuer (§3.15, deprecated since 1.1).
public struct CertificateIssuer: AttributeStructure, Hashable {
    public static let attributeName = "Certificate Issuer"
    public var certificateIssuerDistinguishedName = ""
    public var certificateIssuerAlternativeNames: [String] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.certificateIssuerDistinguishedName, \.certificateIssuerDistinguishedName),
        .repeated(.certificateIssuerAlternativeName, \.certificateIssuerAlternativeNames),
    ]
}

/// Digest (§3.17): a hash of the key material, certificate value or opaque data.
public struct Digest: AttributeStructure, Hashable {
    public static let attributeName = "Digest"
    public var hashingAlgorithm = HashingAlgorithm.sha256
    /// Present when the server has the value it hashes.
    public var digestValue: ByteString?
    /// The format the digest was computed on (keys and secret data). A 1.1 field that the OASIS 1.0
    /// test cases also send, so it is written in every version.
    public var keyFormatType: KeyFormatType?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.hashingAlgorithm, \.hashingAlgorithm),
        .optional(.digestValue, \.digestValue),
        .optional(.keyFormatType, \.keyFormatType),
    ]
}

/// Usage Limits (§3.21): how much protection a key may still apply.
public struct UsageLimits: AttributeStructure, Hashable {
    public static let attributeName = "Usage Limits"
    public var usageLimitsTotal: Int64 = 0
    /// Set by the server; clients give Total and Unit only.
    public var usageLimitsCount: Int64?
    public var usageLimitsUnit = UsageLimitsUnit.object
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.usageLimitsTotal, \.usageLimitsTotal),
        .optional(.usageLimitsCount, \.usageLimitsCount),
        .required(.usageLimitsUnit, \.usageLimitsUnit),
    ]
}

/// Revocation Reason (§3.31): why an object was revoked; also a Revoke request field.
public struct RevocationReason: AttributeStructure, Hashable {
    public static let attributeName = "Revocation Reason"
    public var revocationReasonCode = RevocationReasonCode.unspecified
    public var revocationMessage: String?
    public init() {}
    public init(_ code: RevocationReasonCode, message: String? = nil) { revocationReasonCode = code; revocationMessage = message }
    public static let fields: [Field<Self>] = [
        .required(.revocationReasonCode, \.revocationReasonCode),
        .optional(.revocationMessage, \.revocationMessage),
    ]
}

/// Application Specific Information (§3.36): data of an application namespace.
public struct ApplicationSpecificInformation: AttributeStructure, Hashable {
    public static let attributeName = "Application Specific Information"
    public var applicationNamespace = ""
    /// A client may omit it to ask the server for a value.
    public var applicationData: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.applicationNamespace, \.applicationNamespace),
        .optional(.applicationData, \.applicationData),
    ]
}

/// Alternative Name (§3.40, since 1.2): another, not necessarily unique, name.
public struct AlternativeName: AttributeStructure, Hashable {
    public static let attributeName = "Alternative Name"
    public var alternativeNameValue = ""
    public var alternativeNameType = AlternativeNameType.uninterpretedTextString
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.alternativeNameValue, \.alternativeNameValue),
        .required(.alternativeNameType, \.alternativeNameType),
    ]
}

/// Key Value Location (§3.42, since 1.2): where a key value registered without its Key Value is.
public struct KeyValueLocation: AttributeStructure, Hashable {
    public static let attributeName = "Key Value Location"
    public var keyValueLocationValue = ""
    public var keyValueLocationType = KeyValueLocationType.uninterpretedTextString
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.keyValueLocationValue, \.keyValueLocationValue),
        .required(.keyValueLocationType, \.keyValueLocationType),
    ]
}



extension RNGParameters: AttributeStructure {
    public static let attributeName = "Random Number Generator"
}

/// Template-Attribute (§2.1.8): attributes for a new object, also under the tags Common,
/// Private Key and Public Key Template-Attribute. `names` reference Template objects (deprecated).
public struct TemplateAttribute: KMIPStruct, Hashable {
    public var names: [Name] = []
    public var attributes: [Attribute] = []
    public init() {}
    public init(_ attributes: [Attribute], names: [Name] = []) { self.attributes = attributes; self.names = names }
    public static let fields: [Field<Self>] = [
        .repeated(.name, \.names),
        .repeated(.attribute, \.attributes),
    ]

    /// The first attribute named `name`.
    public subscript(name: String) -> Attribute? { attributes.first { $0.attributeName == name } }
    /// Every attribute named `name`, in order.
    public func all(_ name: String) -> [Attribute] { attributes.filter { $0.attributeName == name } }
}
