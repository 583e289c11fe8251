import KMIP
import KMIPStore

extension LocateRequestPayload: EngineOperation {
    static let declaration = OperationDeclaration(.locate, roleFlag: "operation_locate",
                                                  undo: .reversible)
    static func auditedObjects(of response: LocateResponsePayload) -> [String] { response.uniqueIdentifiers }
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> LocateResponsePayload {
        try await engine.locate(self, &context)
    }
}

extension KMIPEngine {
    /// Locate: the identifiers of the caller's scope's objects that match every attribute of the
    /// request, newest first (by Initial Date), after Offset Items, at most Maximum Items.
    ///
    /// - Each attribute instance in the request is one condition, and all must hold (so two
    ///   different Names find only objects that have both). A date attribute named once must
    ///   equal its value; named twice, it must lie in [first, second].
    /// - Storage Status Mask: omitted means on-line objects only.
    /// - Object Group Member: Group Member Fresh finds only objects whose Fresh is true and sets
    ///   Fresh to false on the objects returned (they have now been served); Group Member
    ///   Default returns one object, the newest match.
    /// - Located Items is the number of matches before Offset/Maximum (the codec drops it below 1.3).
    /// - The first identifier returned becomes the ID Placeholder.
    func locate(_ request: LocateRequestPayload, _ context: inout OperationContext) async throws -> LocateResponsePayload {
        var plan = try Self.locatePlan(try Self.filterAttributes(request), version: context.version)
        if let maximum = request.maximumItems, maximum < 0 {
            throw KMIPError(.invalidField, "Maximum Items must not be negative")
        }
        if let offset = request.offsetItems, offset < 0 {
            throw KMIPError(.invalidField, "Offset Items must not be negative")
        }
        plan.query.storageStatusMask = request.storageStatusMask ?? .onLineStorage
        // Destroyed objects keep their attributes but are found only when asked for by State.
        plan.query.excludesDestroyed = plan.query.state == nil
        plan.query.stateAsOf = context.now
        var maximum = min(request.maximumItems.map(Int.init) ?? limits.maxLocatedItems, limits.maxLocatedItems)
        switch request.objectGroupMember {
        case .groupMemberFresh?:
            plan.query.attributes.append(AttributeMatch(AttributeName.fresh, equals: .boolean(true)))
            plan.query.oldestFirst = true
        case .groupMemberDefault?:
            maximum = min(maximum, 1)
        default: break
        }
        let offset = Int(request.offsetItems ?? 0)

        var response = LocateResponsePayload()
        if plan.matchesNothing {
            response.locatedItems = 0
            return response
        }
        let identifiers: [String]
        let total: Int
        if plan.needsEngineFilter {
            // Conditions the store cannot express: filter every candidate, then page.
            var candidates = plan.query
            candidates.offset = 0
            candidates.maximumItems = nil
            var matched: [String] = []
            for uid in try await objects.locate(scopeID: context.scopeID, candidates) {
                if try await plan.engineMatches(uid, scopeID: context.scopeID, objects) { matched.append(uid) }
            }
            total = matched.count
            identifiers = Array(matched.dropFirst(offset).prefix(maximum))
        } else {
            plan.query.offset = offset
            plan.query.maximumItems = maximum
            identifiers = try await objects.locate(scopeID: context.scopeID, plan.query)
            if identifiers.count < maximum, !identifiers.isEmpty || offset == 0 {
                total = offset + identifiers.count
            } else if context.version < .v1_3 {
                total = offset + identifiers.count   // Located Items does not exist before 1.3: no count needed
            } else {
                total = try await objects.count(scopeID: context.scopeID, plan.query)
            }
        }
        if request.objectGroupMember == .groupMemberFresh {
            for uid in identifiers { try await markServed(uid, context) }
        }
        response.uniqueIdentifiers = identifiers
        response.locatedItems = Int32(clamping: total)
        if let first = identifiers.first { context.idPlaceholder = first } else { context.locatedNothing = true }
        return response
    }

    /// Sets Fresh to false on an object Locate handed out as a fresh group member.
    private func markServed(_ uid: String, _ context: OperationContext) async throws {
        let now = context.now
        _ = try await objects.modify(scopeID: context.scopeID, uniqueIdentifier: uid, inserting: nil) { record in
            var attributes = record.attributes
            attributes.set(AttributeName.fresh, .boolean(false))
            attributes.set(AttributeName.lastChangeDate, .dateTime(now))
            record.setAttributes(attributes)
        }
    }

    /// The request's attributes, with those of a Template-Attribute as FortiGate sends them (not a
    /// KMIP 1.x Locate field; its attributes filter exactly like the payload's own).
    static func filterAttributes(_ request: LocateRequestPayload) throws -> [Attribute] {
        guard let template = request.templateAttribute else { return request.attributes }
        guard template.names.isEmpty else {
            throw KMIPError(.featureNotSupported, "Template objects (referenced by Name) are not supported")
        }
        return request.attributes + template.attributes
    }

    /// How a Locate request's attributes become a store query, plus the few conditions the
    /// store cannot express (checked on each candidate).
    struct LocatePlan {
        var query = ObjectQuery()
        /// The request contradicts itself (two different Object Types…): nothing can match.
        var matchesNothing = false
        /// Further Names every match must have (the store filters on one Name).
        var extraNames: [String] = []
        /// A Unique Identifier the match must have.
        var uniqueIdentifier: String?

        var needsEngineFilter: Bool { !extraNames.isEmpty || uniqueIdentifier != nil }

        func engineMatches(_ uid: String, scopeID: String, _ objects: any ObjectStore) async throws -> Bool {
            if let uniqueIdentifier, uid != uniqueIdentifier { return false }
            guard !extraNames.isEmpty else { return true }
            guard let record = try await objects.object(scopeID: scopeID, uniqueIdentifier: uid) else { return false }
            return extraNames.allSatisfy(record.names.contains)
        }

        /// Sets a single-valued condition; a second, different value makes the plan match nothing.
        mutating func require<T: Equatable>(_ keyPath: WritableKeyPath<ObjectQuery, T?>, _ value: T?) {
            guard let value else { matchesNothing = true; return }
            if let current = query[keyPath: keyPath], current != value { matchesNothing = true }
            query[keyPath: keyPath] = value
        }
    }

    static func locatePlan(_ attributes: [Attribute], version: ProtocolVersion) throws -> LocatePlan {
        var plan = LocatePlan()
        var dates: [String: [DateTime]] = [:]
        var dateOrder: [String] = []
        for attribute in attributes {
            let name = attribute.attributeName
            guard let definition = attribute.definition else {
                throw KMIPError(.invalidField, "unknown attribute \(name)")
            }
            guard AttributeDefinitions.isCustom(name) || definition.since <= version else {
                throw KMIPError(.invalidField, "attribute \(name) does not exist in KMIP \(version)")
            }
            if case .primitive(.dateTime) = definition.kind, !AttributeDefinitions.isCustom(name) {
                guard let date = attribute.value(as: DateTime.self) else {
                    throw KMIPError(.invalidField, "\(name) must be a Date-Time")
                }
                if dates[name] == nil { dateOrder.append(name) }
                dates[name, default: []].append(date)
                continue
            }
            switch name {
            case AttributeName.uniqueIdentifier:
                let uid = attribute.value(as: String.self)
                if let current = plan.uniqueIdentifier, current != uid { plan.matchesNothing = true }
                plan.uniqueIdentifier = uid
                if uid == nil { plan.matchesNothing = true }
            case AttributeName.name:
                guard let value = attribute.value(as: Name.self)?.nameValue else {
                    throw KMIPError(.invalidField, "Name must be a Name structure")
                }
                if plan.query.name == nil { plan.query.name = value }
                else if plan.query.name != value, !plan.extraNames.contains(value) { plan.extraNames.append(value) }
            case AttributeName.objectType:
                plan.require(\.objectType, attribute.value(as: ObjectType.self))
            case AttributeName.state:
                plan.require(\.state, attribute.value(as: State.self))
            case AttributeName.cryptographicAlgorithm:
                plan.require(\.cryptographicAlgorithm, attribute.value(as: CryptographicAlgorithm.self))
            case AttributeName.cryptographicLength:
                plan.require(\.cryptographicLength, attribute.value(as: Int32.self))
            case AttributeName.cryptographicUsageMask:
                guard let bits = attribute.value(as: Int32.self) else {
                    throw KMIPError(.invalidField, "Cryptographic Usage Mask must be an Integer")
                }
                plan.query.cryptographicUsageMask = (plan.query.cryptographicUsageMask ?? 0) | UInt32(bitPattern: bits)
            case AttributeName.operationPolicyName
                where attribute.value(as: String.self) == AttributeName.defaultOperationPolicy:
                // An object without an Operation Policy Name is under the policy named `default`.
                plan.query.attributes.append(AttributeMatch(name, equalsOrAbsent: attribute.attributeValue))
            default:
                plan.query.attributes.append(AttributeMatch(name, equals: attribute.attributeValue))
            }
        }
        for name in dateOrder {
            let values = dates[name] ?? []
            guard values.count <= 2 else {
                throw KMIPError(.invalidField, "\(name) may appear at most twice in a Locate (a range)")
            }
            let from = values[0], to = values.count == 2 ? values[1] : values[0]
            switch name {
            case AttributeName.initialDate: plan.query.initialDateFrom = from; plan.query.initialDateTo = to
            case AttributeName.activationDate: plan.query.activationDateFrom = from; plan.query.activationDateTo = to
            case AttributeName.deactivationDate: plan.query.deactivationDateFrom = from; plan.query.deactivationDateTo = to
            case AttributeName.destroyDate: plan.query.destroyDateFrom = from; plan.query.destroyDateTo = to
            default: plan.query.attributes.append(AttributeMatch(name, from: from, to: to))
            }
        }
        return plan
    }
}
