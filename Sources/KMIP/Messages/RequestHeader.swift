/// Request Header (KMIP 1.4 §7.2).
public struct RequestHeader: KMIPStruct, Hashable {
    public var protocolVersion = ProtocolVersion.latest
    public var maximumResponseSize: Int32?
    public var clientCorrelationValue: String?
    public var serverCorrelationValue: String?
    public var asynchronousIndicator: Bool?
    public var attestationCapableIndicator: Bool?
    public var attestationTypes: [AttestationType] = []
    public var authentication: Authentication?
    public var batchErrorContinuationOption: BatchErrorContinuationOption?
    public var batchOrderOption: Bool?
    public var timeStamp: DateTime?
    public var batchCount: Int32 = 0

    public init() {}
    public init(protocolVersion: ProtocolVersion, batchCount: Int32) {
        self.protocolVersion = protocolVersion
        self.batchCount = batchCount
    }

    public static let fields: [Field<Self>] = [
        .required(.protocolVersion, \.protocolVersion),
        .optional(.maximumResponseSize, \.maximumResponseSize),
        .optional(.clientCorrelationValue, \.clientCorrelationValue, since: .v1_4),
        .optional(.serverCorrelationValue, \.serverCorrelationValue, since: .v1_4),
        .optional(.asynchronousIndicator, \.asynchronousIndicator),
        .optional(.attestationCapableIndicator, \.attestationCapableIndicator, since: .v1_2),
        .repeated(.attestationType, \.attestationTypes, since: .v1_2),
        .optional(.authentication, \.authentication),
        .optional(.batchErrorContinuationOption, \.batchErrorContinuationOption),
        .optional(.batchOrderOption, \.batchOrderOption),
        .optional(.timeStamp, \.timeStamp),
        .required(.batchCount, \.batchCount),
    ]
}

/// Response Header (KMIP 1.4 §7.2).
public struct ResponseHeader: KMIPStruct, Hashable {
    public var protocolVersion = ProtocolVersion.latest
    public var timeStamp = DateTime(secondsSince1970: 0)
    public var nonce: Nonce?
    public var attestationTypes: [AttestationType] = []
    public var clientCorrelationValue: String?
    public var serverCorrelationValue: String?
    public var batchCount: Int32 = 0

    public init() {}
    public init(protocolVersion: ProtocolVersion, timeStamp: DateTime, batchCount: Int32) {
        self.protocolVersion = protocolVersion
        self.timeStamp = timeStamp
        self.batchCount = batchCount
    }

    public static let fields: [Field<Self>] = [
        .required(.protocolVersion, \.protocolVersion),
        .required(.timeStamp, \.timeStamp),
        .optional(.nonce, \.nonce, since: .v1_2),
        .repeated(.attestationType, \.attestationTypes, since: .v1_2),
        .optional(.clientCorrelationValue, \.clientCorrelationValue, since: .v1_4),
        .optional(.serverCorrelationValue, \.serverCorrelationValue, since: .v1_4),
        .required(.batchCount, \.batchCount),
    ]
}

/// Nonce (1.2): server-issued value for attestation.
public struct Nonce: KMIPStruct, Hashable {
    public var nonceID = ByteString([])
    public var nonceValue = ByteString([])
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.nonceID, \.nonceID),
        .required(.nonceValue, \.nonceValue),
    ]
}

/// Message Extension: vendor data carried in a batch item.
public struct MessageExtension: KMIPStruct, Hashable {
    public var vendorIdentification = ""
    public var criticalityIndicator = false
    public var vendorExtension = TTLV(.vendorExtension, .structure([]))
    public init() {}
    public static let fields: [Field<Self>] = [
        .required(.vendorIdentification, \.vendorIdentification),
        .required(.criticalityIndicator, \.criticalityIndicator),
        .required(.vendorExtension, \.vendorExtension),
    ]
}
