extension ProtocolVersion: KMIPStruct {
    public init() { self.init(1, 0) }
    public static let fields: [Field<Self>] = [
        .required(.protocolVersionMajor, \.major),
        .required(.protocolVersionMinor, \.minor),
    ]
}
