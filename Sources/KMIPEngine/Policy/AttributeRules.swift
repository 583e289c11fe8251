import KMIP

/// The spec's rules for a client changing an object's attributes (KMIP 1.4 §3 tables, §4.14–4.16):
/// who may add, modify or delete each attribute, and how instances are numbered.
///
/// Attribute Index is positional: instance `i` of a multi-valued attribute is the `i`-th instance
/// of that name in the object's attribute list, so deleting an instance renumbers the later ones.
enum AttributeRules {
    /// The definition of an attribute a client names in a change, in the request's version.
    /// Unknown names, and names the version does not define, are Invalid Field.
    static func definition(_ name: String, version: ProtocolVersion) throws -> AttributeDefinition {
        guard let definition = AttributeDefinitions.named(name) else {
            throw KMIPError(.invalidField, "unknown attribute \(name)")
        }
        guard definition.since <= version else {
            throw KMIPError(.invalidField, "attribute \(name) does not exist in KMIP \(version)")
        }
        return definition
    }

    /// Add Attribute: only attributes a client may set, and never `y-` custom attributes, which
    /// belong to the server.
    static func checkAdd(_ name: String, _ definition: AttributeDefinition) throws {
        if AttributeDefinitions.isCustom(name) {
            guard name.hasPrefix("x-") else { throw KMIPError(.permissionDenied, "\(name) is a server attribute (y-)") }
            return
        }
        guard definition.initiallySetBy.contains(.client), !KMIPEngine.serverOnlyAttributes.contains(name) else {
            throw KMIPError(.permissionDenied, "attribute \(name) is set by the server and is read-only to clients")
        }
    }

    /// Modify Attribute: only attributes the spec lets a client modify, under their state conditions.
    static func checkModify(_ name: String, _ definition: AttributeDefinition, state: State) throws {
        if AttributeDefinitions.isCustom(name) {
            guard name.hasPrefix("x-") else { throw KMIPError(.permissionDenied, "\(name) is a server attribute (y-)") }
            return
        }
        // Usage Limits count down as the server uses the key: a client resetting them would lift its own limit.
        guard definition.modifiableByClient, name != AttributeName.usageLimits else {
            throw KMIPError(.permissionDenied, "attribute \(name) cannot be modified by a client")
        }
        try checkDateState(name, state: state)
    }

    /// Sensitive may only turn on and Extractable only off: the reverse would expose a key that
    /// was created protected (Always Sensitive / Never Extractable record the start).
    static func checkOneWay(_ name: String, from current: Attribute?, to new: Attribute) throws {
        let was = current?.value(as: Bool.self)
        let will = new.value(as: Bool.self)
        switch name {
        case AttributeName.sensitive where was == true && will == false:
            throw KMIPError(.permissionDenied, "Sensitive cannot be turned off")
        case AttributeName.extractable where was == false && will == true:
            throw KMIPError(.permissionDenied, "Extractable cannot be turned back on")
        default: break
        }
    }

    /// Delete Attribute: only attributes the spec lets a client delete.
    static func checkDelete(_ name: String, _ definition: AttributeDefinition) throws {
        if AttributeDefinitions.isCustom(name) {
            guard name.hasPrefix("x-") else { throw KMIPError(.permissionDenied, "\(name) is a server attribute (y-)") }
            return
        }
        guard definition.deletableByClient, name != AttributeName.sensitive, name != AttributeName.extractable,
              name != AttributeName.usageLimits else {
            throw KMIPError(.permissionDenied, "attribute \(name) cannot be deleted by a client")
        }
    }

    /// Activation Date may change only while Pre-Active; Process Start, Protect Stop and
    /// Deactivation Date only while Pre-Active or Active.
    static func checkDateState(_ name: String, state: State) throws {
        switch name {
        case AttributeName.activationDate:
            guard state == .preActive else {
                throw KMIPError(.permissionDenied, "Activation Date can change only while the object is Pre-Active")
            }
        case AttributeName.processStartDate, AttributeName.protectStopDate, AttributeName.deactivationDate:
            guard state == .preActive || state == .active else {
                throw KMIPError(.permissionDenied, "\(name) can change only while the object is Pre-Active or Active")
            }
        default: break
        }
    }

    /// Position in `attributes` of instance `index` of `name`.
    static func position(of name: String, index: Int, in attributes: [Attribute]) -> Int? {
        guard index >= 0 else { return nil }
        var seen = 0
        for (i, a) in attributes.enumerated() where a.attributeName == name {
            if seen == index { return i }
            seen += 1
        }
        return nil
    }

    /// `attributes` as a response carries them: multi-valued instances after the first with
    /// their Attribute Index, single-valued ones and first instances without (as the OASIS test
    /// cases show); first instances with index 0 too when the mount asks (`explicitIndex`).
    static func indexed(_ attributes: [Attribute], explicitIndex: Bool = false) -> [Attribute] {
        var counts: [String: Int32] = [:]
        return attributes.map { attribute in
            var copy = attribute
            let n = counts[attribute.attributeName, default: 0]
            counts[attribute.attributeName] = n + 1
            let multi = attribute.definition?.multiValued ?? true
            copy.attributeIndex = responseIndex(n, multiValued: multi, explicit: explicitIndex)
            return copy
        }
    }

    /// The attributes a response in `version` may carry: those the version defines. (The
    /// Digest's Key Format Type, a 1.1 field, stays in 1.0 too: PyKMIP's 1.0 decoder requires it.)
    static func presented(_ attributes: [Attribute], in version: ProtocolVersion, explicitIndex: Bool = false) -> [Attribute] {
        indexed(attributes, explicitIndex: explicitIndex).filter { visible($0, in: version) }
    }

    /// The Attribute Index a response gives instance `index`: none for single-valued attributes,
    /// none for a first instance unless `explicit` (§2.1.1: an absent index is 0).
    static func responseIndex(_ index: Int32, multiValued: Bool, explicit: Bool) -> Int32? {
        multiValued && (index > 0 || explicit) ? index : nil
    }

    /// The attribute is defined in `version` (custom attributes always are).
    static func visible(_ attribute: Attribute, in version: ProtocolVersion) -> Bool {
        guard let definition = attribute.definition else { return false }
        return AttributeDefinitions.isCustom(attribute.attributeName) || definition.since <= version
    }
}
