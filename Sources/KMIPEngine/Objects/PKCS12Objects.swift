import KMIP
import KMIPCrypto
import KMIPStore

/// PKCS#12 (KMIP 1.4 §2.1.7, TC-PKCS12): a Private Key leaves as a PKCS#12 with the certificates
/// its PKCS#12 Certificate Links name, and a PKCS#12 registered as a Private Key becomes a PKCS#8
/// key and Certificate objects, linked the same way. The password is the Secret Data the key's
/// PKCS#12 Password Link names; it must be Active. Everything is read and made in the caller's scope.
extension KMIPEngine {
    /// The PKCS#12 form of a stored Private Key (Get with Key Format Type PKCS#12).
    func pkcs12Object(_ value: ManagedObject, of record: ManagedObjectRecord, _ context: OperationContext) async throws -> ManagedObject {
        guard case .privateKey = value, let key = try Self.asymmetricKey(of: value, attributes: record.attributes, stored: true) else {
            throw KMIPError(.keyFormatTypeNotSupported, "only Private Keys are returned as PKCS#12")
        }
        let password = try await pkcs12Password(record.attributes, context, readableOnly: true)
        var certificates: [[UInt8]] = []
        var visited: Set<String> = [record.uniqueIdentifier]
        var next = record.attributes.linked(.pkcs12CertificateLink)
        while let uid = next, visited.insert(uid).inserted {
            guard certificates.count < PKCS12.maxCertificates else {
                throw KMIPError(.invalidField, "a PKCS#12 holds at most \(PKCS12.maxCertificates) certificates")
            }
            let linked = try await self.record(uid, context)
            guard !linked.state.isDestroyed, case .certificate(let certificate)? = try linked.value() else {
                throw KMIPError(.invalidObjectType, "the PKCS#12 Certificate Link names object \(uid), which is no Certificate")
            }
            certificates.append(certificate.certificateValue.bytes)
            next = linked.attributes.linked(.pkcs12CertificateLink)
        }
        let name = record.attributes.first(AttributeName.pkcs12FriendlyName)?.value(as: String.self)
        let file = try PKCS12.make(key: key, certificates: certificates, password: password, friendlyName: name)
        var block = KeyBlock()
        block.keyFormatType = .pkcs12
        block.keyValue = .wrapped(ByteString(file.bytes))
        return .privateKey(PrivateKey(block))
    }

    /// Register of a PKCS#12: the key (stored as PKCS#8) with the request's attributes and a
    /// PKCS#12 Certificate Link to its certificate, each certificate linked to the next.
    func registerPKCS12(_ bytes: [UInt8], template: TemplateAttribute, _ context: inout OperationContext) async throws -> String {
        let password = try await pkcs12Password(template.attributes, context)
        let (key, certificateDERs) = try PKCS12.read(bytes, password: password)
        let value = ManagedObject.privateKey(PrivateKey(KeyBlock(
            keyFormatType: .pkcs8, keyMaterial: .byteString(ByteString(try key.pkcs8().bytes)),
            cryptographicAlgorithm: key.cryptographicAlgorithm, cryptographicLength: Int32(key.bitLength))))
        var keyAttributes = try newObjectAttributes(objectType: .privateKey, template: template, value: value, context: context)
        var certificates: [(attributes: [Attribute], value: ManagedObject)] = []
        for der in certificateDERs {
            var certificate = Certificate()
            certificate.certificateType = .x509
            certificate.certificateValue = ByteString(der)
            let value = ManagedObject.certificate(certificate)
            certificates.append((try newObjectAttributes(objectType: .certificate, template: TemplateAttribute(), value: value, context: context), value))
        }
        let uids = certificates.map { $0.attributes.first(AttributeName.uniqueIdentifier)?.value(as: String.self) ?? "" }
        if let first = uids.first { keyAttributes.append(Attribute(Link(.pkcs12CertificateLink, first))) }
        for i in certificates.indices.dropLast() { certificates[i].attributes.append(Attribute(Link(.pkcs12CertificateLink, uids[i + 1]))) }
        let keyID = try await insertNew(attributes: keyAttributes, value: value, context: &context)
        for certificate in certificates {
            _ = try await insertNew(attributes: certificate.attributes, value: certificate.value, context: &context)
        }
        context.idPlaceholder = keyID
        return keyID
    }

    /// The password of the Secret Data a PKCS#12 Password Link names: Active, in the caller's scope.
    /// `readableOnly` (export): a password that may not leave the server (Sensitive, not
    /// Extractable) does not protect a file that does, which would let it be guessed offline.
    func pkcs12Password(_ attributes: [Attribute], _ context: OperationContext, readableOnly: Bool = false) async throws -> SecretBytes {
        guard let uid = attributes.linked(.pkcs12PasswordLink) else {
            throw KMIPError(.missingData, "a PKCS#12 needs a PKCS#12 Password Link to a Secret Data")
        }
        let secret = try await record(uid, context)
        guard !secret.state.isDestroyed, case .secretData(let data)? = try secret.value(),
              case .byteString(let password)? = data.keyBlock.plainKeyValue?.keyMaterial else {
            throw KMIPError(.invalidObjectType, "the PKCS#12 Password Link names object \(uid), which is no Secret Data in the clear")
        }
        guard secret.effectiveState(at: context.now) == .active else {
            throw KMIPError(.permissionDenied, "the PKCS#12 password (object \(uid)) is not Active")
        }
        if readableOnly, Self.isSensitive(secret) || secret.attributes.first(AttributeName.extractable)?.value(as: Bool.self) == false {
            throw KMIPError(.permissionDenied, "the PKCS#12 password (object \(uid)) may not leave the server, so no file is made under it")
        }
        return SecretBytes(password.bytes)
    }
}
