import KMIP

extension QueryRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.query, roleFlag: "operation_query",
                                                  undo: .reversible)
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> QueryResponsePayload {
        try await engine.query(self, &context)
    }
}

extension KMIPEngine {
    static let vendorIdentification = "Strongroom"
    /// The server's release, reported in Server Information.
    static let serverVersion = "0.1.0"

    /// Object types the server stores (those Register accepts).
    static let supportedObjectTypes: [ObjectType] = [
        .symmetricKey, .secretData, .opaqueObject, .publicKey, .privateKey, .certificate, .splitKey, .template,
    ]

    /// Query: answers each Query Function asked, and only those; items newer than the request's
    /// version are left out (by the codec for fields, here for enumeration values).
    func query(_ request: QueryRequestPayload, _ context: inout OperationContext) async throws -> QueryResponsePayload {
        let version = context.version
        var response = QueryResponsePayload()
        for function in Set(request.queryFunctions) {
            switch function {
            case .queryOperations:
                response.operations = OperationCatalog.operations.keys
                    .filter { ($0.definitionValue?.since ?? .latest) <= version }
                    .sorted { $0.rawValue < $1.rawValue }
            case .queryObjects:
                response.objectTypes = Self.supportedObjectTypes.filter { ($0.definitionValue?.since ?? .latest) <= version }
            case .queryServerInformation:
                response.vendorIdentification = Self.vendorIdentification
                response.serverInformation = TTLV(.serverInformation, .structure([
                    TTLV(Tag(0x54_0001), .textString("\(Self.vendorIdentification) \(Self.serverVersion)")),
                ]))
            case .queryApplicationNamespaces, .queryExtensionList, .queryExtensionMap, .queryAttestationTypes,
                 .queryValidations, .queryDefaultsInformation, .queryStorageProtectionMasks:
                break   // none supported
            case .queryRNGs:
                response.rngParameters = [ServerPolicy.rng]
            case .queryProfiles:
                let profiles: [ProfileName] = [
                    .baselineServerBasicKMIPV12, .baselineServerTLSV12KMIPV12,
                    .baselineServerBasicKMIPV13, .baselineServerTLSV12KMIPV13,
                    .baselineServerBasicKMIPV14, .baselineServerTLSV12KMIPV14,
                ]
                response.profileInformation = profiles
                    .filter { ($0.definitionValue?.since ?? .latest) <= version }
                    .map { var p = ProfileInformation(); p.profileName = $0; return p }
            case .queryCapabilities:
                var capability = CapabilityInformation()
                capability.streamingCapability = true
                capability.asynchronousCapability = false
                capability.attestationCapability = false
                capability.batchUndoCapability = false
                capability.batchContinueCapability = true
                capability.unwrapMode = .notProcessed
                capability.destroyAction = .keyMaterialShredded
                response.capabilityInformation = [capability]
            case .queryClientRegistrationMethods:
                response.clientRegistrationMethods = [.unspecified]
            default:
                throw KMIPError(.invalidField, "unknown Query Function \(function)")
            }
        }
        return response
    }
}

fileprivate extension KMIPEnumeration {
    /// This value's row of its enumeration table.
    var definitionValue: EnumerationDefinition.Value? { Self.definition.value(rawValue) }
}
