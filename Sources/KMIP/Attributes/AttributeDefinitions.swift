/// One attribute of KMIP 1.0–1.4 (§3): its value's type and the rules of its spec table.
///
/// Rules are those of the 1.4 tables. Where a table says "Yes, only while …" (Activation Date,
/// Usage Limits, Custom Attribute…) the flag reads Yes; the condition is the engine's to check.
public struct AttributeDefinition: Sendable {
    /// What the Attribute Value holds.
    public enum Kind: Sendable {
        /// A primitive item: Integer, Text String, Date-Time, Interval, Boolean…
        case primitive(ItemType)
        /// An Enumeration item with the values of this table.
        case enumeration(EnumerationDefinition)
        /// An Integer item whose bits this table names (Cryptographic Usage Mask).
        case mask(EnumerationDefinition)
        /// A structure of the typed model (Name, Link…).
        case structure(any KMIPStruct.Type)
        /// Custom Attribute (`x-`/`y-` names): any item, kept as it came.
        case any
    }

    /// Who may set the attribute when it has no value yet ("Initially set by").
    public struct Setters: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let server = Setters(rawValue: 1)
        public static let client = Setters(rawValue: 2)
    }

    /// The spec name, used in Attribute Name (e.g. "Cryptographic Usage Mask").
    public let name: String
    public let tag: Tag
    public let kind: Kind
    public let since: ProtocolVersion
    /// The version that deprecated it, if any.
    public let deprecatedSince: ProtocolVersion?
    /// "Multiple instances permitted".
    public let multiValued: Bool
    public let initiallySetBy: Setters
    public let modifiableByServer: Bool
    public let modifiableByClient: Bool
    public let deletableByClient: Bool

    /// The item type of the Attribute Value; nil for Custom Attribute (any type).
    public var itemType: ItemType? {
        switch kind {
        case .primitive(let t): t
        case .enumeration: .enumeration
        case .mask: .integer
        case .structure: .structure
        case .any: nil
        }
    }

    /// The table that names the value (enumerations and masks), for the XML and JSON encodings.
    public var enumeration: EnumerationDefinition? {
        switch kind {
        case .enumeration(let d), .mask(let d): d
        default: nil
        }
    }

    /// Read-only: neither modifiable nor deletable by a client, and not initially set by one.
    public var isReadOnlyForClients: Bool { !initiallySetBy.contains(.client) && !modifiableByClient && !deletableByClient }
}

/// The attributes of KMIP 1.0–1.4.
public enum AttributeDefinitions {
    public static let all: [AttributeDefinition] = {
        typealias D = AttributeDefinition
        let server: D.Setters = .server, client: D.Setters = .client, both: D.Setters = [.server, .client]
        func d(_ name: String, _ tag: Tag, _ kind: D.Kind, since: ProtocolVersion = .v1_0, deprecated: ProtocolVersion? = nil,
               multi: Bool = false, set: D.Setters, modS: Bool = false, modC: Bool = false, delC: Bool = false) -> D {
            D(name: name, tag: tag, kind: kind, since: since, deprecatedSince: deprecated, multiValued: multi,
              initiallySetBy: set, modifiableByServer: modS, modifiableByClient: modC, deletableByClient: delC)
        }
        let text = D.Kind.primitive(.textString), date = D.Kind.primitive(.dateTime)
        let integer = D.Kind.primitive(.integer), boolean = D.Kind.primitive(.boolean)
        var all: [D] = [
            d("Unique Identifier", .uniqueIdentifier, text, set: server),
            d("Name", .name, .structure(Name.self), multi: true, set: client, modS: true, modC: true, delC: true),
            d("Object Type", .objectType, .enumeration(ObjectType.definition), set: server),
            d("Cryptographic Algorithm", .cryptographicAlgorithm, .enumeration(CryptographicAlgorithm.definition), set: server),
            d("Cryptographic Length", .cryptographicLength, integer, set: server),
            d("Cryptographic Parameters", .cryptographicParameters, .structure(CryptographicParameters.self),
              multi: true, set: client, modC: true, delC: true),
            d("Cryptographic Domain Parameters", .cryptographicDomainParameters, .structure(CryptographicDomainParameters.self), set: client),
            d("Certificate Type", .certificateType, .enumeration(CertificateType.definition), set: server),
            d("Certificate Length", .certificateLength, integer, since: .v1_1, set: server),
            d("X.509 Certificate Identifier", .x509CertificateIdentifier, .structure(X509CertificateIdentifier.self), since: .v1_1, set: server),
            d("X.509 Certificate Subject", .x509CertificateSubject, .structure(X509CertificateSubject.self), since: .v1_1, set: server),
            d("X.509 Certificate Issuer", .x509CertificateIssuer, .structure(X509CertificateIssuer.self), since: .v1_1, set: server),
            d("Certificate Identifier", .certificateIdentifier, .structure(CertificateIdentifier.self), deprecated: .v1_1, set: server),
            d("Certificate Subject", .certificateSubject, .structure(CertificateSubject.self), deprecated: .v1_1, set: server),
            d("Certificate Issuer", .certificateIssuer, .structure(CertificateIssuer.self), deprecated: .v1_1, set: server),
            // Multiple instances: "Yes for PGP keys. No for X.509 certificates."
            d("Digital Signature Algorithm", .digitalSignatureAlgorithm, .enumeration(DigitalSignatureAlgorithm.definition),
              since: .v1_1, multi: true, set: server),
            d("Digest", .digest, .structure(Digest.self), multi: true, set: server),
            d("Operation Policy Name", .operationPolicyName, text, deprecated: .v1_3, set: both, modS: true),
            d("Cryptographic Usage Mask", .cryptographicUsageMask, .mask(CryptographicUsageMask.definition), set: both, modS: true),
            d("Lease Time", .leaseTime, .primitive(.interval), set: server, modS: true),
            // Client: Total and/or Unit only, and only until Get Usage Allocation.
            d("Usage Limits", .usageLimits, .structure(UsageLimits.self), set: both, modS: true, modC: true, delC: true),
            d("State", .state, .enumeration(State.definition), set: server, modS: true),
            d("Initial Date", .initialDate, date, set: server),
            // The four dates below: modifiable only while Pre-Active (Activation Date) or Pre-Active/Active.
            d("Activation Date", .activationDate, date, set: both, modS: true, modC: true),
            d("Process Start Date", .processStartDate, date, set: both, modS: true, modC: true),
            d("Protect Stop Date", .protectStopDate, date, set: both, modS: true, modC: true),
            d("Deactivation Date", .deactivationDate, date, set: both, modS: true, modC: true),
            d("Destroy Date", .destroyDate, date, set: server),
            d("Compromise Occurrence Date", .compromiseOccurrenceDate, date, set: server),
            d("Compromise Date", .compromiseDate, date, set: server),
            d("Revocation Reason", .revocationReason, .structure(RevocationReason.self), set: server, modS: true),
            d("Archive Date", .archiveDate, date, set: server),
            d("Object Group", .objectGroup, text, multi: true, set: both, modS: true, modC: true, delC: true),
            d("Fresh", .fresh, boolean, since: .v1_1, set: both, modS: true),
            d("Link", .link, .structure(Link.self), multi: true, set: both, modS: true, modC: true, delC: true),
            d("Application Specific Information", .applicationSpecificInformation, .structure(ApplicationSpecificInformation.self),
              multi: true, set: both, modS: true, modC: true, delC: true),
            d("Contact Information", .contactInformation, text, set: both, modS: true, modC: true, delC: true),
            d("Last Change Date", .lastChangeDate, date, set: server, modS: true),
            // The server modifies y- attributes, the client creates, modifies and deletes x- attributes.
            d("Custom Attribute", .customAttribute, .any, multi: true, set: both, modS: true, modC: true, delC: true),
            d("Alternative Name", .alternativeName, .structure(AlternativeName.self), since: .v1_2, multi: true,
              set: client, modS: true, modC: true, delC: true),
            d("Key Value Present", .keyValuePresent, boolean, since: .v1_2, set: server),
            d("Key Value Location", .keyValueLocation, .structure(KeyValueLocation.self), since: .v1_2, multi: true,
              set: client, modC: true, delC: true),
            d("Original Creation Date", .originalCreationDate, date, since: .v1_2, set: both),
            d("Random Number Generator", .randomNumberGenerator, .structure(RNGParameters.self), since: .v1_3, set: both),
            d("PKCS#12 Friendly Name", .pkcs12FriendlyName, text, since: .v1_4, set: both, modC: true, delC: true),
            d("Description", .description, text, since: .v1_4, set: both, modS: true, modC: true, delC: true),
            d("Comment", .comment, text, since: .v1_4, set: both, modS: true, modC: true, delC: true),
            d("Sensitive", .sensitive, boolean, since: .v1_4, set: both, modS: true, modC: true),
            d("Always Sensitive", .alwaysSensitive, boolean, since: .v1_4, set: server, modS: true),
            d("Extractable", .extractable, boolean, since: .v1_4, set: both, modS: true, modC: true),
            d("Never Extractable", .neverExtractable, boolean, since: .v1_4, set: server, modS: true),
        ]
        // The certificate name parts (Certificate Subject CN … Certificate Issuer DN Qualifier) are 1.4
        // tags that §3 does not list; the 1.4 test cases (TC-CERTATTR) return them as attributes.
        let parts: [Tag] = [
            .certificateSubjectCN, .certificateSubjectO, .certificateSubjectOU, .certificateSubjectEmail,
            .certificateSubjectC, .certificateSubjectST, .certificateSubjectL, .certificateSubjectUID,
            .certificateSubjectSerialNumber, .certificateSubjectTitle, .certificateSubjectDC, .certificateSubjectDNQualifier,
            .certificateIssuerCN, .certificateIssuerO, .certificateIssuerOU, .certificateIssuerEmail,
            .certificateIssuerC, .certificateIssuerST, .certificateIssuerL, .certificateIssuerUID,
            .certificateIssuerSerialNumber, .certificateIssuerTitle, .certificateIssuerDC, .certificateIssuerDNQualifier,
        ]
        for tag in parts {
            if let name = tag.definition?.name { all.append(d(name, tag, text, since: .v1_4, set: server)) }
        }
        return all
    }()

    static let byName: [String: AttributeDefinition] = {
        var d: [String: AttributeDefinition] = [:]
        for a in all { d[a.name] = a }
        return d
    }()

    /// The definition for an Attribute Name. `x-` and `y-` names are Custom Attributes.
    public static func named(_ name: String) -> AttributeDefinition? {
        if let d = byName[name] { return d }
        return isCustom(name) ? byName["Custom Attribute"] : nil
    }

    /// A Custom Attribute name: `x-` (client-created) or `y-` (server-created).
    public static func isCustom(_ name: String) -> Bool { name.hasPrefix("x-") || name.hasPrefix("y-") }
}
