/// Authentication: one or more Credentials (several from 1.3 on).
public struct Authentication: KMIPStruct, Hashable {
    public var credentials: [Credential] = []
    public init() {}
    public init(_ credentials: [Credential]) { self.credentials = credentials }
    public static let fields: [Field<Self>] = [.repeated(.credential, \.credentials)]
}

/// Credential: its Credential Value's structure depends on its Credential Type.
public struct Credential: KMIPStruct, Hashable {
    public var credentialType = CredentialType.usernameAndPassword
    public var credentialValue = CredentialValue.usernameAndPassword(UsernameAndPassword())
    public init() {}

    public enum CredentialValue: Hashable, Sendable {
        case usernameAndPassword(UsernameAndPassword)
        case device(DeviceCredential)
        case attestation(AttestationCredential)
        /// Extension credential types, kept as they came.
        case other(TTLV)
    }

    public static let fields: [Field<Self>] = [
        .required(.credentialType, \.credentialType),
        .custom(.credentialValue, .required, decode: { root, e, c in
            switch root.credentialType {
            case .usernameAndPassword: root.credentialValue = .usernameAndPassword(try .decode(e, &c))
            case .device: root.credentialValue = .device(try .decode(e, &c))
            case .attestation: root.credentialValue = .attestation(try .decode(e, &c))
            default: root.credentialValue = .other(TTLV(e))
            }
        }, encode: { root, w, c in
            switch root.credentialValue {
            case .usernameAndPassword(let v): v.encode(tag: .credentialValue, to: &w, c)
            case .device(let v): v.encode(tag: .credentialValue, to: &w, c)
            case .attestation(let v): v.encode(tag: .credentialValue, to: &w, c)
            case .other(let v): v.encode(tag: .credentialValue, to: &w, c)
            }
        }),
    ]
}

public struct UsernameAndPassword: KMIPStruct, Hashable {
    public var username = ""
    public var password: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.username, \.username),
        .optional(.password, \.password),
    ]
}

public struct DeviceCredential: KMIPStruct, Hashable {
    public var deviceSerialNumber: String?
    public var password: String?
    public var deviceIdentifier: String?
    public var networkIdentifier: String?
    public var machineIdentifier: String?
    public var mediaIdentifier: String?
    public init() {}
    public static let fields: [Field<Self>] = [
        .optional(.deviceSerialNumber, \.deviceSerialNumber),
        .optional(.password, \.password),
        .optional(.deviceIdentifier, \.deviceIdentifier),
        .optional(.networkIdentifier, \.networkIdentifier),
        .optional(.machineIdentifier, \.machineIdentifier),
        .optional(.mediaIdentifier, \.mediaIdentifier),
    ]
}

public struct AttestationCredential: KMIPStruct, Hashable {
    public var nonce = Nonce()
    public var attestationType = AttestationType.tpmQuote
    public var attestationMeasurement: ByteString?
    public var attestationAssertion: ByteString?
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.nonce, \.nonce),
        .required(.attestationType, \.attestationType),
        .optional(.attestationMeasurement, \.attestationMeasurement),
        .optional(.attestationAssertion, \.attestationAssertion),
    ]
}
