/// Which payload type each operation's request and response carry.
public enum OperationRegistry {
    /// Request payload types of every KMIP 1.4 operation.
    public static let requestPayloads: [Operation: any KMIPStruct.Type] = [
        .create: CreateRequestPayload.self,
        .createKeyPair: CreateKeyPairRequestPayload.self,
        .register: RegisterRequestPayload.self,
        .reKey: ReKeyRequestPayload.self,
        .deriveKey: DeriveKeyRequestPayload.self,
        .certify: CertifyRequestPayload.self,
        .reCertify: ReCertifyRequestPayload.self,
        .locate: LocateRequestPayload.self,
        .check: CheckRequestPayload.self,
        .get: GetRequestPayload.self,
        .getAttributes: GetAttributesRequestPayload.self,
        .getAttributeList: GetAttributeListRequestPayload.self,
        .addAttribute: AddAttributeRequestPayload.self,
        .modifyAttribute: ModifyAttributeRequestPayload.self,
        .deleteAttribute: DeleteAttributeRequestPayload.self,
        .obtainLease: ObtainLeaseRequestPayload.self,
        .getUsageAllocation: GetUsageAllocationRequestPayload.self,
        .activate: ActivateRequestPayload.self,
        .revoke: RevokeRequestPayload.self,
        .destroy: DestroyRequestPayload.self,
        .archive: ArchiveRequestPayload.self,
        .recover: RecoverRequestPayload.self,
        .validate: ValidateRequestPayload.self,
        .query: QueryRequestPayload.self,
        .cancel: CancelRequestPayload.self,
        .poll: PollRequestPayload.self,
        .notify: NotifyRequestPayload.self,
        .put: PutRequestPayload.self,
        .reKeyKeyPair: ReKeyKeyPairRequestPayload.self,
        .discoverVersions: DiscoverVersionsRequestPayload.self,
        .encrypt: EncryptRequestPayload.self,
        .decrypt: DecryptRequestPayload.self,
        .sign: SignRequestPayload.self,
        .signatureVerify: SignatureVerifyRequestPayload.self,
        .mac: MACRequestPayload.self,
        .macVerify: MACVerifyRequestPayload.self,
        .rngRetrieve: RNGRetrieveRequestPayload.self,
        .rngSeed: RNGSeedRequestPayload.self,
        .hash: HashRequestPayload.self,
        .createSplitKey: CreateSplitKeyRequestPayload.self,
        .joinSplitKey: JoinSplitKeyRequestPayload.self,
        .`import`: ImportRequestPayload.self,
        .export: ExportRequestPayload.self,
    ]

    /// Response payload types of every KMIP 1.4 operation.
    public static let responsePayloads: [Operation: any KMIPStruct.Type] = [
        .create: CreateResponsePayload.self,
        .createKeyPair: CreateKeyPairResponsePayload.self,
        .register: RegisterResponsePayload.self,
        .reKey: ReKeyResponsePayload.self,
        .deriveKey: DeriveKeyResponsePayload.self,
        .certify: CertifyResponsePayload.self,
        .reCertify: ReCertifyResponsePayload.self,
        .locate: LocateResponsePayload.self,
        .check: CheckResponsePayload.self,
        .get: GetResponsePayload.self,
        .getAttributes: GetAttributesResponsePayload.self,
        .getAttributeList: GetAttributeListResponsePayload.self,
        .addAttribute: AddAttributeResponsePayload.self,
        .modifyAttribute: ModifyAttributeResponsePayload.self,
        .deleteAttribute: DeleteAttributeResponsePayload.self,
        .obtainLease: ObtainLeaseResponsePayload.self,
        .getUsageAllocation: GetUsageAllocationResponsePayload.self,
        .activate: ActivateResponsePayload.self,
        .revoke: RevokeResponsePayload.self,
        .destroy: DestroyResponsePayload.self,
        .archive: ArchiveResponsePayload.self,
        .recover: RecoverResponsePayload.self,
        .validate: ValidateResponsePayload.self,
        .query: QueryResponsePayload.self,
        .cancel: CancelResponsePayload.self,
        .poll: PollResponsePayload.self,
        .notify: NotifyResponsePayload.self,
        .put: PutResponsePayload.self,
        .reKeyKeyPair: ReKeyKeyPairResponsePayload.self,
        .discoverVersions: DiscoverVersionsResponsePayload.self,
        .encrypt: EncryptResponsePayload.self,
        .decrypt: DecryptResponsePayload.self,
        .sign: SignResponsePayload.self,
        .signatureVerify: SignatureVerifyResponsePayload.self,
        .mac: MACResponsePayload.self,
        .macVerify: MACVerifyResponsePayload.self,
        .rngRetrieve: RNGRetrieveResponsePayload.self,
        .rngSeed: RNGSeedResponsePayload.self,
        .hash: HashResponsePayload.self,
        .createSplitKey: CreateSplitKeyResponsePayload.self,
        .joinSplitKey: JoinSplitKeyResponsePayload.self,
        .`import`: ImportResponsePayload.self,
        .export: ExportResponsePayload.self,
    ]

    /// Decodes a request payload as its operation's type; an operation without one (2.x,
    /// extensions) keeps the payload as generic TTLV.
    static func decodeRequestPayload(_ op: Operation, _ e: TTLVElement, _ c: inout DecodingContext) throws -> any TTLVCodable {
        guard let type = requestPayloads[op] else { return TTLV(e) }
        return try type.decode(e, &c)
    }

    static func decodeResponsePayload(_ op: Operation?, _ e: TTLVElement, _ c: inout DecodingContext) throws -> any TTLVCodable {
        guard let op, let type = responsePayloads[op] else { return TTLV(e) }
        return try type.decode(e, &c)
    }
}
