import KMIP

/// The Unique Identifiers a payload names, read from typed fields only: the audit log learns which
/// objects an item touched without the payload (key material, data) ever being encoded or copied.
enum AuditIdentifiers {
    /// `placeholder`: the ID Placeholder an item that names no object acts on.
    static func of(_ payload: (any TTLVCodable)?, placeholder: String? = nil) -> [String] {
        if let placeholder, let optional = payload as? NamesOptionalObject, optional.uniqueIdentifier == nil {
            return [placeholder]
        }
        guard let named = payload as? NamesObjects else { return [] }
        let ids = named.auditIdentifiers
        return ids.count > KMIPRequestEvent.maxIdentifiers ? Array(ids.prefix(KMIPRequestEvent.maxIdentifiers)) : ids
    }

    /// `first` then the members of `second` not in it, at most `maxIdentifiers`.
    static func merge(_ first: [String], _ second: [String]) -> [String] {
        if first.isEmpty { return second }
        var merged = first
        for id in second where !merged.contains(id) && merged.count < KMIPRequestEvent.maxIdentifiers { merged.append(id) }
        return merged
    }
}

/// A payload that names objects by Unique Identifier.
protocol NamesObjects { var auditIdentifiers: [String] { get } }

/// Request payloads whose optional Unique Identifier may defer to the ID Placeholder.
protocol NamesOptionalObject: NamesObjects { var uniqueIdentifier: String? { get } }
extension NamesOptionalObject { var auditIdentifiers: [String] { uniqueIdentifier.map { [$0] } ?? [] } }

/// Payloads that always name one object.
protocol NamesOneObject: NamesObjects { var uniqueIdentifier: String { get } }
extension NamesOneObject { var auditIdentifiers: [String] { uniqueIdentifier.isEmpty ? [] : [uniqueIdentifier] } }

extension ActivateRequestPayload: NamesOptionalObject {}
extension AddAttributeRequestPayload: NamesOptionalObject {}
extension ArchiveRequestPayload: NamesOptionalObject {}
extension CheckRequestPayload: NamesOptionalObject {}
extension DecryptRequestPayload: NamesOptionalObject {}
extension DeleteAttributeRequestPayload: NamesOptionalObject {}
extension DestroyRequestPayload: NamesOptionalObject {}
extension EncryptRequestPayload: NamesOptionalObject {}
extension GetRequestPayload: NamesOptionalObject {}
extension GetAttributeListRequestPayload: NamesOptionalObject {}
extension GetAttributesRequestPayload: NamesOptionalObject {}
extension GetUsageAllocationRequestPayload: NamesOptionalObject {}
extension MACRequestPayload: NamesOptionalObject {}
extension MACVerifyRequestPayload: NamesOptionalObject {}
extension ModifyAttributeRequestPayload: NamesOptionalObject {}
extension ObtainLeaseRequestPayload: NamesOptionalObject {}
extension ReKeyRequestPayload: NamesOptionalObject {}
extension RecoverRequestPayload: NamesOptionalObject {}
extension RevokeRequestPayload: NamesOptionalObject {}
extension SignRequestPayload: NamesOptionalObject {}
extension SignatureVerifyRequestPayload: NamesOptionalObject {}
extension ImportRequestPayload: NamesOneObject {}
extension ReKeyKeyPairRequestPayload: NamesObjects {
    var auditIdentifiers: [String] { privateKeyUniqueIdentifier.map { [$0] } ?? [] }
}

extension ActivateResponsePayload: NamesOneObject {}
extension AddAttributeResponsePayload: NamesOneObject {}
extension ArchiveResponsePayload: NamesOneObject {}
extension CheckResponsePayload: NamesOneObject {}
extension CreateResponsePayload: NamesOneObject {}
extension DecryptResponsePayload: NamesOneObject {}
extension DeleteAttributeResponsePayload: NamesOneObject {}
extension DestroyResponsePayload: NamesOneObject {}
extension EncryptResponsePayload: NamesOneObject {}
extension GetResponsePayload: NamesOneObject {}
extension GetAttributeListResponsePayload: NamesOneObject {}
extension GetAttributesResponsePayload: NamesOneObject {}
extension GetUsageAllocationResponsePayload: NamesOneObject {}
extension ImportResponsePayload: NamesOneObject {}
extension MACResponsePayload: NamesOneObject {}
extension MACVerifyResponsePayload: NamesOneObject {}
extension ModifyAttributeResponsePayload: NamesOneObject {}
extension ObtainLeaseResponsePayload: NamesOneObject {}
extension ReKeyResponsePayload: NamesOneObject {}
extension RecoverResponsePayload: NamesOneObject {}
extension RegisterResponsePayload: NamesOneObject {}
extension RevokeResponsePayload: NamesOneObject {}
extension SignResponsePayload: NamesOneObject {}
extension SignatureVerifyResponsePayload: NamesOneObject {}
extension CreateKeyPairResponsePayload: NamesObjects {
    var auditIdentifiers: [String] { [privateKeyUniqueIdentifier, publicKeyUniqueIdentifier].filter { !$0.isEmpty } }
}
extension ReKeyKeyPairResponsePayload: NamesObjects {
    var auditIdentifiers: [String] { [privateKeyUniqueIdentifier, publicKeyUniqueIdentifier].filter { !$0.isEmpty } }
}
extension LocateResponsePayload: NamesObjects {
    var auditIdentifiers: [String] { Array(uniqueIdentifiers.prefix(KMIPRequestEvent.maxIdentifiers)) }
}
