/// Discover Versions (KMIP 1.4 §4.26 and §5.4; since 1.1). Versions in decreasing order of preference;
/// an empty request asks for every version the server supports.
public struct DiscoverVersionsRequestPayload: KMIPStruct, Hashable {
    public var protocolVersions: [ProtocolVersion] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .repeated(.protocolVersion, \.protocolVersions),
    ]
}

public struct DiscoverVersionsResponsePayload: KMIPStruct, Hashable {
    public var protocolVersions: [ProtocolVersion] = []
    public init() {}
    public static let fields: [Field<Self>] = [
        .repeated(.protocolVersion, \.protocolVersions),
    ]
}
