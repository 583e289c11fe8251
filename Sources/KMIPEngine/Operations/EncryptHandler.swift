import KMIP
import KMIPCrypto

extension EncryptRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.encrypt, roleFlag: "operation_encrypt",
                                                  undo: .reversible)
    var auditedObjects: AuditedObjects { .objectOrPlaceholder(uniqueIdentifier) }
    static func auditedObjects(of response: EncryptResponsePayload) -> [String] { [response.uniqueIdentifier] }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> EncryptResponsePayload {
        try await engine.encrypt(self, &context)
    }
}

extension KMIPEngine {
    /// Encrypt (KMIP 1.4 §4.29): one-shot, or a stream (Init Indicator → Correlation Value → Final
    /// Indicator) for symmetric keys. Parameters come from the request, else from the object's
    /// Cryptographic Parameters, else AES-CBC-PKCS5 with a random IV (docs/security.md, Algorithms). An IV the server
    /// generates is returned in IV/Counter/Nonce; a GCM tag in Authenticated Encryption Tag.
    func encrypt(_ request: EncryptRequestPayload, _ context: inout OperationContext) async throws -> EncryptResponsePayload {
        if let correlation = request.correlationValue, request.initIndicator != true {
            return try await continueEncrypt(request, request.finalIndicator == true ? .final(correlation) : .middle(correlation), &context)
        }
        let (record, object) = try await cryptographicObject(request.uniqueIdentifier, &context, usage: .encrypt, direction: .protect)
        let parameters = CipherSetup.parameters(request.cryptographicParameters, record)
        let setup = try CipherSetup.make(object, record, parameters, encrypting: true, keys: storedKeys)
        let streaming = request.initIndicator == true && request.finalIndicator != true
        var response = EncryptResponsePayload()
        response.uniqueIdentifier = record.uniqueIdentifier
        switch setup {
        case .rsa(let key, let padding):
            guard !streaming else {
                throw KMIPError(.invalidField, "RSA encryption is single-part: Init Indicator is for symmetric keys")
            }
            guard request.ivCounterNonce == nil, request.authenticatedEncryptionAdditionalData == nil else {
                throw KMIPError(.invalidField, "RSA encryption takes no IV/Counter/Nonce or additional data")
            }
            guard let data = request.data else { throw KMIPError(.invalidField, "Encrypt needs Data") }
            try await consumeUsageLimits(record, bytes: data.count, newUse: true, &context)
            response.data = ByteString(try key.encrypt(data.bytes, padding: padding))
        case .chacha(let cipher):
            guard request.initIndicator != true, request.finalIndicator != true else {
                throw KMIPError(.invalidField, "\(cipher) encryption is single-part here: no Init or Final Indicator")
            }
            if parameters?.randomIV == true, request.ivCounterNonce != nil {
                throw KMIPError(.invalidField, "Random IV asks the server for the nonce: the request must not carry one")
            }
            var nonce = request.ivCounterNonce?.bytes ?? []
            if request.ivCounterNonce == nil {
                nonce = try cipher.randomNonce()
                response.ivCounterNonce = ByteString(nonce)
            }
            guard let data = request.data else { throw KMIPError(.invalidField, "Encrypt needs Data") }
            try await consumeUsageLimits(record, bytes: data.count, newUse: true, &context)
            let output = try cipher.encrypt(data.bytes, nonce: nonce, additionalData: request.authenticatedEncryptionAdditionalData?.bytes ?? [])
            response.data = ByteString(output.data)
            response.authenticatedEncryptionTag = output.tag.map { ByteString($0) }
        case .symmetric(let cipher):
            var iv = request.ivCounterNonce?.bytes
            if parameters?.randomIV == true, iv != nil {
                throw KMIPError(.invalidField, "Random IV asks the server for the IV: the request must not carry one")
            }
            if iv == nil, cipher.ivLength != nil, let generated = try cipher.randomIV() {
                iv = generated
                response.ivCounterNonce = ByteString(generated)
            }
            let additionalData = request.authenticatedEncryptionAdditionalData?.bytes ?? []
            if streaming {
                let data = request.data?.bytes ?? []
                try await consumeUsageLimits(record, bytes: data.count, newUse: true, &context)
                let stream = try cipher.encryptor(iv: iv, additionalData: additionalData)
                let output = try stream.update(data)
                response.correlationValue = try streams.open(owner: context.streamOwner, operation: .encrypt,
                                                             context: CipherStream(uniqueIdentifier: record.uniqueIdentifier, cipher: stream))
                if !output.isEmpty { response.data = ByteString(output) }
            } else {
                guard let data = request.data else { throw KMIPError(.invalidField, "Encrypt needs Data") }
                try await consumeUsageLimits(record, bytes: data.count, newUse: true, &context)
                let output = try cipher.encrypt(data.bytes, iv: iv, additionalData: additionalData)
                response.data = ByteString(output.data)
                response.authenticatedEncryptionTag = output.tag.map { ByteString($0) }
            }
        }
        return response
    }

    /// A later part of a streamed Encrypt; the last one (Final Indicator) closes the stream. Any
    /// failure closes it too (`continueStream`): its cipher context may be in an undefined state.
    private func continueEncrypt(_ request: EncryptRequestPayload, _ step: StreamStep,
                                 _ context: inout OperationContext) async throws -> EncryptResponsePayload {
        var response = EncryptResponsePayload()
        _ = try await continueStream(CipherStream.self, step, .encrypt, context) { stream, final, correlation in
            try CipherStream.checkContinuation(stream, uniqueIdentifier: request.uniqueIdentifier, iv: request.ivCounterNonce,
                                               additionalData: request.authenticatedEncryptionAdditionalData)
            // The object may have been revoked or may have expired since the stream began.
            let (record, _) = try await cryptographicObject(stream.uniqueIdentifier, &context, usage: .encrypt, direction: .protect)
            let data = request.data?.bytes ?? []
            try await consumeUsageLimits(record, bytes: data.count, newUse: false, &context)
            var output = try stream.cipher.update(data)
            response.uniqueIdentifier = stream.uniqueIdentifier
            if final {
                let last = try stream.cipher.finalize()
                output += last.data
                response.authenticatedEncryptionTag = last.tag.map { ByteString($0) }
            } else {
                response.correlationValue = correlation
            }
            if !output.isEmpty { response.data = ByteString(output) }
        }
        return response
    }
}
