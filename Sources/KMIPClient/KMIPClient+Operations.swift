import KMIP

/// Convenience wrappers for the common operations, in the client's configured protocol version.
extension KMIPClient {
    /// Discover Versions; `versions` empty asks for every version the server supports.
    public func discoverVersions(_ versions: [ProtocolVersion] = []) async throws -> [ProtocolVersion] {
        var payload = DiscoverVersionsRequestPayload()
        payload.protocolVersions = versions
        return try await self.call(.discoverVersions, payload, as: DiscoverVersionsResponsePayload.self).protocolVersions
    }

    /// Create of a Symmetric Key with the given attributes; returns its Unique Identifier.
    public func create(objectType: ObjectType = .symmetricKey, attributes: [Attribute]) async throws -> String {
        var payload = CreateRequestPayload()
        payload.objectType = objectType
        payload.templateAttribute = TemplateAttribute(attributes)
        return try await self.call(.create, payload, as: CreateResponsePayload.self).uniqueIdentifier
    }

    /// Creates an AES key (`length` bits, Encrypt|Decrypt unless `usage` says otherwise), optionally named.
    public func createAESKey(
        length: Int32 = 256, name: String? = nil,
        usage: CryptographicUsageMask = [.encrypt, .decrypt]
    ) async throws -> String {
        var attributes = [
            Attribute(CryptographicAlgorithm.aes),
            Attribute(name: "Cryptographic Length", value: .integer(length)),
            Attribute(usage),
        ]
        if let name { attributes.append(Attribute(Name(name))) }
        return try await self.create(objectType: .symmetricKey, attributes: attributes)
    }

    /// Register of a client-supplied object; returns its Unique Identifier.
    public func register(_ object: ManagedObject, objectType: ObjectType, attributes: [Attribute] = []) async throws
        -> String
    {
        var payload = RegisterRequestPayload()
        payload.objectType = objectType
        payload.templateAttribute = TemplateAttribute(attributes)
        payload.object = object
        return try await self.call(.register, payload, as: RegisterResponsePayload.self).uniqueIdentifier
    }

    /// Get of an object by Unique Identifier.
    public func get(_ uniqueIdentifier: String, keyFormatType: KeyFormatType? = nil) async throws -> GetResponsePayload {
        var payload = GetRequestPayload()
        payload.uniqueIdentifier = uniqueIdentifier
        payload.keyFormatType = keyFormatType
        return try await self.call(.get, payload, as: GetResponsePayload.self)
    }

    /// Locate with arbitrary attributes.
    public func locate(attributes: [Attribute], maximumItems: Int32? = nil) async throws -> [String] {
        var payload = LocateRequestPayload()
        payload.attributes = attributes
        payload.maximumItems = maximumItems
        return try await self.call(.locate, payload, as: LocateResponsePayload.self).uniqueIdentifiers
    }

    /// Locate by Name (newest first, as the server orders them).
    public func locate(name: String, maximumItems: Int32? = nil) async throws -> [String] {
        try await self.locate(attributes: [Attribute(Name(name))], maximumItems: maximumItems)
    }

    @discardableResult
    public func activate(_ uniqueIdentifier: String) async throws -> String {
        var payload = ActivateRequestPayload()
        payload.uniqueIdentifier = uniqueIdentifier
        return try await self.call(.activate, payload, as: ActivateResponsePayload.self).uniqueIdentifier
    }

    @discardableResult
    public func revoke(
        _ uniqueIdentifier: String, reason: RevocationReasonCode = .cessationOfOperation, message: String? = nil
    ) async throws -> String {
        var payload = RevokeRequestPayload()
        payload.uniqueIdentifier = uniqueIdentifier
        payload.revocationReason = RevocationReason(reason, message: message)
        return try await self.call(.revoke, payload, as: RevokeResponsePayload.self).uniqueIdentifier
    }

    @discardableResult
    public func destroy(_ uniqueIdentifier: String) async throws -> String {
        var payload = DestroyRequestPayload()
        payload.uniqueIdentifier = uniqueIdentifier
        return try await self.call(.destroy, payload, as: DestroyResponsePayload.self).uniqueIdentifier
    }
}
