import KMIP

/// What a store indexes of an object's attribute list beyond the record's own columns, so that
/// Locate filters on Link, Object Group, Fresh, custom attributes, other dates… run in the store.
/// Derived from `ManagedObjectRecord.attributes`, the object's one source of truth.
enum ObjectIndex {
    /// Attributes held in the record's columns or the names table; never in the value index.
    static let columnAttributes: Set<String> = [
        "Unique Identifier", "Name", "Object Type", "State", "Cryptographic Algorithm", "Cryptographic Length",
        "Initial Date", "Activation Date", "Deactivation Date", "Destroy Date", "Cryptographic Usage Mask",
    ]

    /// Server-set attributes every object has and Locate rarely names (flags, policy, digests):
    /// kept out of the value index, which would otherwise take ten rows per object and most of a
    /// Create's write cost. A Locate naming one is filtered on the decoded attributes instead.
    static let unindexedAttributes: Set<String> = [
        "Digest", "Random Number Generator", "Lease Time", "Last Change Date", "Sensitive", "Always Sensitive",
        "Extractable", "Never Extractable",
    ]

    /// One attribute instance in the value index: its name, its value's TTLV encoding, and the
    /// value as a number for Date-Time, Integer, Long Integer and Enumeration values.
    struct Entry: Hashable, Sendable {
        var name: String
        var value: [UInt8]
        var number: Int64?
    }

    /// The entries of `attributes` (`indexedOnly`: those the value index stores).
    static func entries(_ attributes: [Attribute], indexedOnly: Bool = false) -> [Entry] {
        var seen: Set<Entry> = []
        var result: [Entry] = []
        for attribute in attributes where !columnAttributes.contains(attribute.attributeName)
            && !(indexedOnly && unindexedAttributes.contains(attribute.attributeName)) {
            let entry = Entry(name: attribute.attributeName, value: encode(attribute.attributeValue),
                              number: number(attribute.attributeValue))
            if seen.insert(entry).inserted { result.append(entry) }
        }
        return result
    }

    /// The canonical encoding two equal values share.
    static func encode(_ value: AttributeValue) -> [UInt8] { value.ttlv(tag: .attributeValue).encoded() }

    static func number(_ value: AttributeValue) -> Int64? {
        switch value.ttlv().value {
        case .dateTime(let d): d.secondsSince1970
        case .integer(let i): Int64(i)
        case .longInteger(let l): l
        case .enumeration(let e): Int64(e)
        default: nil
        }
    }

    static func usageMask(_ attributes: [Attribute]) -> UInt32? {
        attributes.first { $0.attributeName == "Cryptographic Usage Mask" }?.value(as: Int32.self).map { UInt32(bitPattern: $0) }
    }
}
