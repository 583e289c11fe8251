import KMIP
import KMIPCrypto

extension DecryptRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.decrypt, roleFlag: "operation_decrypt",
                                                  undo: .reversible, work: .heavy)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: DecryptResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> DecryptResponsePayload {
        try await engine.decrypt(self, &context)
    }
}

extension KMIPEngine {
    /// Decrypt (KMIP 1.4 §4.30): one-shot, or a stream (Init Indicator → Correlation Value → Final
    /// Indicator) for symmetric keys. Parameters as for Encrypt; the IV is required where the mode
    /// takes one, and GCM needs the Authenticated Encryption Tag (with the last part when streaming).
    /// A tag that does not verify, or bad padding, is Cryptographic Failure and returns nothing.
    func decrypt(_ request: DecryptRequestPayload, _ context: inout OperationContext) async throws -> DecryptResponsePayload {
        if let correlation = request.correlationValue, request.initIndicator != true {
            return try await continueDecrypt(request, request.finalIndicator == true ? .final(correlation) : .middle(correlation), &context)
        }
        let (record, object) = try await cryptographicObject(request.uniqueIdentifier, &context, usage: .decrypt, direction: .process)
        let parameters = CipherSetup.parameters(request.cryptographicParameters, record)
        let setup = try CipherSetup.make(object, record, parameters, encrypting: false, keys: storedKeys)
        let streaming = request.initIndicator == true && request.finalIndicator != true
        var response = DecryptResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        switch setup {
        case .rsa(let key, let padding):
            guard !streaming else {
                throw KMIPError(.invalidField, "RSA decryption is single-part: Init Indicator is for symmetric keys")
            }
            guard request.ivCounterNonce == nil, request.authenticatedEncryptionAdditionalData == nil,
                  request.authenticatedEncryptionTag == nil else {
                throw KMIPError(.invalidField, "RSA decryption takes no IV/Counter/Nonce, additional data or tag")
            }
            guard let data = request.data else { throw KMIPError(.invalidField, "Decrypt needs Data") }
            // An RSA private operation: on the heavy pool, in this client's turn.
            let ciphertext = data.bytes
            response.data = ByteString(try await heavyWork(context) { try key.decrypt(ciphertext, padding: padding).bytes })
        case .chacha(let cipher):
            guard request.initIndicator != true, request.finalIndicator != true else {
                throw KMIPError(.invalidField, "\(cipher) decryption is single-part here: no Init or Final Indicator")
            }
            guard let nonce = request.ivCounterNonce?.bytes else {
                throw KMIPError(.invalidMessage, "\(cipher) decryption needs the IV/Counter/Nonce")
            }
            guard let data = request.data else { throw KMIPError(.invalidField, "Decrypt needs Data") }
            response.data = ByteString(try cipher.decrypt(data.bytes, nonce: nonce,
                                                          additionalData: request.authenticatedEncryptionAdditionalData?.bytes ?? [],
                                                          tag: request.authenticatedEncryptionTag?.bytes))
        case .symmetric(let cipher):
            let iv = request.ivCounterNonce?.bytes
            if iv == nil, cipher.ivLength != nil {
                // The OASIS cases (CS-BC-M-13) expect Invalid Message for a missing IV.
                throw KMIPError(.invalidMessage, "\(cipher) decryption needs the IV/Counter/Nonce")
            }
            let additionalData = request.authenticatedEncryptionAdditionalData?.bytes ?? []
            if streaming {
                guard request.authenticatedEncryptionTag == nil else {
                    throw KMIPError(.invalidField, "a streamed decryption takes the tag with its last part (Final Indicator)")
                }
                let stream = try cipher.decryptor(iv: iv, additionalData: additionalData)
                let correlation = try streams.open(owner: context.streamOwner, operation: .decrypt,
                                                   context: CipherStream(uniqueIdentifier: record.uniqueIdentifier, cipher: stream))
                let input = request.data?.bytes ?? []
                let output: [UInt8]
                do {
                    if stream.withholdsPlaintext { try streams.hold(input.count, by: correlation, owner: context.streamOwner) }
                    output = try stream.update(input)
                } catch {
                    streams.close(correlation)
                    throw error
                }
                response.correlationValue = correlation
                if !output.isEmpty { response.data = ByteString(output) }
            } else {
                guard let data = request.data else { throw KMIPError(.invalidField, "Decrypt needs Data") }
                response.data = ByteString(try cipher.decrypt(data.bytes, iv: iv, additionalData: additionalData,
                                                              tag: request.authenticatedEncryptionTag?.bytes))
            }
        }
        return response
    }

    /// A later part of a streamed Decrypt; the last one (Final Indicator) closes the stream. Any
    /// failure closes it too (`continueStream`).
    private func continueDecrypt(_ request: DecryptRequestPayload, _ step: StreamStep,
                                 _ context: inout OperationContext) async throws -> DecryptResponsePayload {
        var response = DecryptResponsePayload()
        _ = try await continueStream(CipherStream.self, step, .decrypt, context) { stream, final, correlation in
            try CipherStream.checkContinuation(stream, uniqueIdentifier: request.uniqueIdentifier, iv: request.ivCounterNonce,
                                               additionalData: request.authenticatedEncryptionAdditionalData)
            if !final, request.authenticatedEncryptionTag != nil {
                throw KMIPError(.invalidField, "the tag goes with the last part (Final Indicator)")
            }
            let input = request.data?.bytes ?? []
            if stream.cipher.withholdsPlaintext { try streams.hold(input.count, by: correlation, owner: context.streamOwner) }
            var output = try stream.cipher.update(input)
            response.uniqueIdentifier = stream.uniqueIdentifier
            if final {
                output += try stream.cipher.finalize(expectedTag: request.authenticatedEncryptionTag?.bytes).data
            } else {
                response.correlationValue = correlation
            }
            if !output.isEmpty { response.data = ByteString(output) }
        }
        return response
    }
}
