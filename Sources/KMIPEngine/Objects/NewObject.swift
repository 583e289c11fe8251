import KMIP
import KMIPCrypto
import KMIPStore

/// The attribute set of a new object: the client's template, checked, plus what the server sets.
extension KMIPEngine {
    /// Attributes a client may never supply when creating or registering an object.
    static let serverOnlyAttributes: Set<String> = [
        AttributeName.uniqueIdentifier, AttributeName.state, AttributeName.initialDate,
        AttributeName.lastChangeDate, AttributeName.destroyDate, AttributeName.compromiseOccurrenceDate,
        AttributeName.compromiseDate, AttributeName.revocationReason, AttributeName.archiveDate,
        AttributeName.digest, AttributeName.keyValuePresent,
        AttributeName.originalCreationDate, AttributeName.leaseTime, AttributeName.alwaysSensitive,
        AttributeName.neverExtractable,
    ]

    /// Checks a client's template attributes: known (or custom) names, values of the spec's type,
    /// no server-only attribute, no repeated single-valued attribute.
    /// `restoring` (Import) admits server attributes and `y-` custom attributes, which an import
    /// brings back as they were, and drops a Unique Identifier (the request names it).
    static func checkClientAttributes(_ attributes: [Attribute], objectType: ObjectType, version: ProtocolVersion,
                                      restoring: Bool = false) throws -> [Attribute] {
        var seen: Set<String> = []
        var accepted: [Attribute] = []
        for attribute in attributes {
            let name = attribute.attributeName
            if name == AttributeName.objectType {
                guard attribute.value(as: ObjectType.self) == objectType else {
                    throw KMIPError(.invalidField, "the template's Object Type differs from the request's")
                }
                continue
            }
            if restoring, name == AttributeName.uniqueIdentifier { continue }
            if AttributeDefinitions.isCustom(name) {
                guard restoring || name.hasPrefix("x-") else { throw KMIPError(.permissionDenied, "\(name) is a server attribute (y-)") }
                accepted.append(attribute)
                continue
            }
            guard let definition = attribute.definition else {
                throw KMIPError(.invalidField, "unknown attribute \(name)")
            }
            guard definition.since <= version else {
                throw KMIPError(.invalidField, "attribute \(name) does not exist in KMIP \(version)")
            }
            // Original Creation Date: stated at creation for a registered object (newObjectAttributes).
            guard restoring || name == AttributeName.originalCreationDate || !serverOnlyAttributes.contains(name) else {
                throw KMIPError(.invalidField, "attribute \(name) is set by the server")
            }
            if !definition.multiValued {
                guard seen.insert(name).inserted else {
                    throw KMIPError(.invalidField, "attribute \(name) may occur only once")
                }
            }
            var copy = attribute
            copy.attributeIndex = nil
            accepted.append(copy)
        }
        return accepted
    }

    /// The full attribute set of a new object: identity, client attributes, then server-set ones.
    /// `inherited` (Re-key: the old object's client attributes) is taken as is, before the
    /// template, whose single-valued attributes replace inherited ones.
    func newObjectAttributes(objectType: ObjectType, template: TemplateAttribute, inherited: [Attribute] = [],
                             value: ManagedObject?, generated: Bool = false,
                             context: OperationContext) throws -> [Attribute] {
        guard template.names.isEmpty else {
            throw KMIPError(.featureNotSupported, "Template objects (referenced by Name) are not supported")
        }
        let client = try Self.checkClientAttributes(template.attributes, objectType: objectType, version: context.version)
        // Original Creation Date (§3.52) is the client's to state for an object made elsewhere that
        // it registers; the server sets it for what it generates.
        let statedCreation = client.first(AttributeName.originalCreationDate)
        if generated, statedCreation != nil {
            throw KMIPError(.invalidField, "the server sets the Original Creation Date of objects it generates")
        }
        var attributes: [Attribute] = [
            Attribute(name: AttributeName.uniqueIdentifier, value: .textString(Identifiers.uniqueIdentifier())),
            Attribute(objectType),
        ]
        attributes.append(contentsOf: inherited)
        for attribute in client {
            if attribute.definition?.multiValued ?? true { attributes.append(attribute) } else { attributes.set(attribute) }
        }
        if let block = value?.keyBlock {
            // The key block and the template must agree; the block's values fill what the template omits.
            if let algorithm = block.cryptographicAlgorithm {
                if let stated = attributes.first(AttributeName.cryptographicAlgorithm)?.value(as: CryptographicAlgorithm.self), stated != algorithm {
                    throw KMIPError(.invalidField, "the template's Cryptographic Algorithm differs from the key block's")
                }
                attributes.set(Attribute(algorithm))
            }
            if let length = block.cryptographicLength {
                if let stated = attributes.first(AttributeName.cryptographicLength)?.value(as: Int32.self), stated != length {
                    throw KMIPError(.invalidField, "the template's Cryptographic Length differs from the key block's")
                }
                attributes.set(AttributeName.cryptographicLength, .integer(length))
            }
        }
        if case .certificate(let certificate)? = value {
            for attribute in try Self.certificateAttributes(certificate) { attributes.set(attribute) }
        }
        let now = context.now
        if objectType == .template {
            // A Template is no cryptographic object: no State, freshness or sensitivity, only
            // the dates and the lease a reference server gives it (TC_312).
            attributes.set(AttributeName.initialDate, .dateTime(now))
            attributes.set(AttributeName.lastChangeDate, .dateTime(now))
            attributes.set(AttributeName.originalCreationDate, .dateTime(now))
            attributes.set(AttributeName.leaseTime, .interval(ServerPolicy.leaseTime))
            return attributes
        }
        let activation = attributes.date(AttributeName.activationDate)
        attributes.set(Attribute(activation.map { $0 <= now } == true ? State.active : State.preActive))
        attributes.set(AttributeName.initialDate, .dateTime(now))
        attributes.set(AttributeName.lastChangeDate, .dateTime(now))
        if statedCreation == nil { attributes.set(AttributeName.originalCreationDate, .dateTime(now)) }
        if let block = value?.keyBlock, block.keyValue == nil { attributes.set(AttributeName.keyValuePresent, .boolean(false)) }
        // Fresh (1.1 §3.34) may be set by the client at creation (TC_152); new objects are fresh.
        attributes.set(AttributeName.fresh, .boolean(attributes.first(AttributeName.fresh)?.value(as: Bool.self) ?? true))
        if let digest = try Self.digest(of: value) { attributes.set(Attribute(digest)) }
        attributes.set(AttributeName.leaseTime, .interval(ServerPolicy.leaseTime))
        if generated { attributes.set(Attribute(ServerPolicy.rng)) }
        // Sensitive / Extractable are the client's choice (default: not sensitive, extractable);
        // Always Sensitive / Never Extractable record that choice as made at creation.
        let sensitive = attributes.first(AttributeName.sensitive)?.value(as: Bool.self) ?? false
        let extractable = attributes.first(AttributeName.extractable)?.value(as: Bool.self) ?? true
        attributes.set(AttributeName.sensitive, .boolean(sensitive))
        attributes.set(AttributeName.alwaysSensitive, .boolean(sensitive))
        attributes.set(AttributeName.extractable, .boolean(extractable))
        attributes.set(AttributeName.neverExtractable, .boolean(!extractable))
        if var limits = attributes.first(AttributeName.usageLimits)?.value(as: UsageLimits.self), limits.usageLimitsCount == nil {
            limits.usageLimitsCount = limits.usageLimitsTotal
            attributes.set(Attribute(limits))
        }
        return attributes
    }

    /// SHA-256 over the key material as stored (Raw bytes, the opaque value, or the encoded
    /// transparent structure), as the spec's Digest attribute asks.
    static func digest(of value: ManagedObject?) throws -> Digest? {
        guard let value else { return nil }
        var digest = Digest()
        digest.hashingAlgorithm = .sha256
        let bytes: [UInt8]
        switch value {
        case .opaqueObject(let o): bytes = o.opaqueDataValue.bytes
        case .certificate(let c):
            // The certificate's bytes as they are: Raw, as the reference server states it (TC-CERTATTR)
            // and PyKMIP's 1.0 decoder requires a Key Format Type in every Digest.
            digest.keyFormatType = .raw
            bytes = c.certificateValue.bytes
        default:
            guard let block = value.keyBlock, let key = block.plainKeyValue else { return nil }
            digest.keyFormatType = block.keyFormatType
            switch key.keyMaterial {
            case .byteString(let b): bytes = b.bytes
            default:
                var w = TTLVWriter()
                key.keyMaterial.encode(tag: .keyMaterial, to: &w, EncodingContext())
                bytes = w.bytes
            }
        }
        digest.digestValue = ByteString(try DigestAlgorithm(.sha256).hash(bytes))
        return digest
    }

    /// Stores a new object and makes it the batch's ID Placeholder.
    func insertNew(attributes: [Attribute], value: ManagedObject?, context: inout OperationContext) async throws -> String {
        let record = try ManagedObjectRecord(scopeID: context.scopeID, attributes: attributes, value: value)
        try await objects.insert(record)
        context.journalCreated(record.uniqueIdentifier)
        context.idPlaceholder = record.uniqueIdentifier
        return record.uniqueIdentifier
    }

    /// The object the item names (or the ID Placeholder), in the caller's scope only.
    /// An archived object answers Object Archived unless `archived` is `.allow` (attribute
    /// reads, Recover, Destroy).
    func record(_ requested: String?, _ context: OperationContext,
                archived: ArchivedAccess = .refuse) async throws -> ManagedObjectRecord {
        let uid = try context.identifier(requested)
        guard var record = try await objects.object(scopeID: context.scopeID, uniqueIdentifier: uid) else {
            throw KMIPError(.itemNotFound, "no object \(uid)")
        }
        if record.archived, archived == .refuse {
            throw KMIPError(.objectArchived, "object \(uid) is archived; Recover it first")
        }
        // A date that has passed moves the state as of now; the next write stores it.
        var attributes = record.attributes
        if Lifecycle.applyDates(&attributes, now: context.now) { record.setAttributes(attributes) }
        return record
    }
}

enum ArchivedAccess { case refuse, allow }
