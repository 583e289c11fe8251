/// Query (KMIP 1.4 §4.25, and §5.3 when a server queries a client): what the peer supports.
public struct QueryRequestPayload: KMIPStruct, Hashable {
    /// One or more (REQUIRED).
    public var queryFunctions: [QueryFunction] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .repeated(.queryFunction, \.queryFunctions),
    ]
}

public struct QueryResponsePayload: KMIPStruct, Hashable {
    public var operations: [Operation] = []
    public var objectTypes: [ObjectType] = []
    /// Returned for Query Server Information.
    public var vendorIdentification: String?
    /// Vendor-specific content, kept as it came.
    public var serverInformation: TTLV?
    public var applicationNamespaces: [String] = []
    public var extensionInformation: [ExtensionInformation] = []
    public var attestationTypes: [AttestationType] = []
    public var rngParameters: [RNGParameters] = []
    public var profileInformation: [ProfileInformation] = []
    public var validationInformation: [ValidationInformation] = []
    public var capabilityInformation: [CapabilityInformation] = []
    public var clientRegistrationMethods: [ClientRegistrationMethod] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .repeated(.operation, \.operations),
        .repeated(.objectType, \.objectTypes),
        .optional(.vendorIdentification, \.vendorIdentification),
        .optional(.serverInformation, \.serverInformation),
        .repeated(.applicationNamespace, \.applicationNamespaces),
        .repeated(.extensionInformation, \.extensionInformation, since: .v1_1),
        .repeated(.attestationType, \.attestationTypes, since: .v1_2),
        .repeated(.rngParameters, \.rngParameters, since: .v1_3),
        .repeated(.profileInformation, \.profileInformation, since: .v1_3),
        .repeated(.validationInformation, \.validationInformation, since: .v1_3),
        .repeated(.capabilityInformation, \.capabilityInformation, since: .v1_3),
        .repeated(.clientRegistrationMethod, \.clientRegistrationMethods, since: .v1_3),
    ]
}

/// Extension Information (KMIP 1.4 §2.1.9; since 1.1): an item tag in the extension range.
public struct ExtensionInformation: KMIPStruct, Hashable {
    public var extensionName = ""
    public var extensionTag: Int32?
    /// The item type, as its TTLV type code.
    public var extensionType: Int32?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.extensionName, \.extensionName),
        .optional(.extensionTag, \.extensionTag),
        .optional(.extensionType, \.extensionType),
    ]
}

/// RNG Parameters (KMIP 1.4 §2.1.18; since 1.3).
public struct RNGParameters: KMIPStruct, Hashable {
    public var rngAlgorithm = RNGAlgorithm.unspecified
    public var cryptographicAlgorithm: CryptographicAlgorithm?
    public var cryptographicLength: Int32?
    public var hashingAlgorithm: HashingAlgorithm?
    public var drbgAlgorithm: DRBGAlgorithm?
    public var recommendedCurve: RecommendedCurve?
    public var fips186Variation: FIPS186Variation?
    public var predictionResistance: Bool?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.rngAlgorithm, \.rngAlgorithm),
        .optional(.cryptographicAlgorithm, \.cryptographicAlgorithm),
        .optional(.cryptographicLength, \.cryptographicLength),
        .optional(.hashingAlgorithm, \.hashingAlgorithm),
        .optional(.drbgAlgorithm, \.drbgAlgorithm),
        .optional(.recommendedCurve, \.recommendedCurve),
        .optional(.fips186Variation, \.fips186Variation),
        .optional(.predictionResistance, \.predictionResistance),
    ]
}

/// Profile Information (KMIP 1.4 §2.1.19; since 1.3).
public struct ProfileInformation: KMIPStruct, Hashable {
    public var profileName = ProfileName.baselineServerBasicKMIPV12
    public var serverURI: String?
    public var serverPort: Int32?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.profileName, \.profileName),
        .optional(.serverURI, \.serverURI),
        .optional(.serverPort, \.serverPort),
    ]
}

/// Validation Information (KMIP 1.4 §2.1.20; since 1.3): a validation the implementation holds.
public struct ValidationInformation: KMIPStruct, Hashable {
    public var validationAuthorityType = ValidationAuthorityType.unspecified
    public var validationAuthorityCountry: String?
    public var validationAuthorityURI: String?
    public var validationVersionMajor: Int32 = 0
    public var validationVersionMinor: Int32?
    public var validationType = ValidationType.unspecified
    public var validationLevel: Int32 = 0
    public var validationCertificateIdentifier: String?
    public var validationCertificateURI: String?
    public var validationVendorURI: String?
    public var validationProfiles: [String] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.validationAuthorityType, \.validationAuthorityType),
        .optional(.validationAuthorityCountry, \.validationAuthorityCountry),
        .optional(.validationAuthorityURI, \.validationAuthorityURI),
        .required(.validationVersionMajor, \.validationVersionMajor),
        .optional(.validationVersionMinor, \.validationVersionMinor),
        .required(.validationType, \.validationType),
        .required(.validationLevel, \.validationLevel),
        .optional(.validationCertificateIdentifier, \.validationCertificateIdentifier),
        .optional(.validationCertificateURI, \.validationCertificateURI),
        .optional(.validationVendorURI, \.validationVendorURI),
        .repeated(.validationProfile, \.validationProfiles),
    ]
}

/// Capability Information (KMIP 1.4 §2.1.21; since 1.3).
public struct CapabilityInformation: KMIPStruct, Hashable {
    public var streamingCapability: Bool?
    public var asynchronousCapability: Bool?
    public var attestationCapability: Bool?
    public var batchUndoCapability: Bool?
    public var batchContinueCapability: Bool?
    public var unwrapMode: UnwrapMode?
    public var destroyAction: DestroyAction?
    public var shreddingAlgorithm: ShreddingAlgorithm?
    public var rngMode: RNGMode?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.streamingCapability, \.streamingCapability),
        .optional(.asynchronousCapability, \.asynchronousCapability),
        .optional(.attestationCapability, \.attestationCapability),
        .optional(.batchUndoCapability, \.batchUndoCapability, since: .v1_4),
        .optional(.batchContinueCapability, \.batchContinueCapability, since: .v1_4),
        .optional(.unwrapMode, \.unwrapMode),
        .optional(.destroyAction, \.destroyAction),
        .optional(.shreddingAlgorithm, \.shreddingAlgorithm),
        .optional(.rngMode, \.rngMode),
    ]
}
