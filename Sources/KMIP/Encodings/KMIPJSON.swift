/// The KMIP JSON encoding: `{"tag": "BatchCount", "type": "Integer", "value": 1}`, structures with
/// an array value, unknown tags as `"0x54XXXX"`. Integers, Long Integers and Intervals are numbers;
/// enumerations and masks are names where known.
public enum KMIPJSON {
    public static func decode(_ json: String) throws -> TTLV {
        try tree(JSONValue.parse(json), structure: { TTLV($0, .structure($1)) }, leaf: { TTLV($0.tag, try $0.value()) })
    }

    /// Converts a JSON item into any tree of items, as ``KMIPXML/tree(_:collapseWhitespace:attributeName:structure:leaf:)``.
    public static func tree<Node>(_ j: JSONValue, attributeName: String? = nil,
                                  structure: (Tag, [Node]) throws -> Node, leaf: (KMIPTextLeaf) throws -> Node) throws -> Node {
        guard case .string(let tagName)? = j["tag"], let tag = Tag(xmlName: tagName) else {
            throw JSONError(offset: 0, message: "item without a known \"tag\": \(j.serialized())")
        }
        var typeName = "Structure"
        if let t = j["type"] {
            guard case .string(let s) = t else { throw JSONError(offset: 0, message: "\"type\" of \(tagName) is not a string") }
            typeName = s
        }
        guard let type = ItemType.allCases.first(where: { $0.xmlName == typeName }) else {
            throw JSONError(offset: 0, message: "unknown type \"\(typeName)\" for \(tagName)")
        }
        guard let value = j["value"] else { throw JSONError(offset: 0, message: "\(tagName) has no \"value\"") }
        if type == .structure {
            guard case .array(let items) = value else { throw JSONError(offset: 0, message: "Structure \(tagName) needs an array value") }
            var name: String?
            for item in items {
                if case .string("AttributeName")? = item["tag"], case .string(let n)? = item["value"] { name = n }
            }
            return try structure(tag, try items.map { try tree($0, attributeName: name, structure: structure, leaf: leaf) })
        }
        let text: String
        switch value {
        case .string(let s): text = s
        case .integer(let n): text = String(n)
        case .bool(let b): text = b ? "true" : "false"
        default: throw JSONError(offset: 0, message: "unsupported value for \(tagName): \(value.serialized())")
        }
        return try leaf(KMIPTextLeaf(tag: tag, type: type, text: text, attributeName: attributeName) {
            JSONError(offset: 0, message: "\"\(text)\" is not a valid \(type.specName) for \(tagName)")
        })
    }

    public static func value(_ item: TTLV, attributeName: String? = nil) -> JSONValue {
        let tagText = JSONValue.string(item.tag.xmlName)
        if case .structure(let children) = item.value {
            let an = item.attributeName
            return .object([("tag", tagText), ("value", .array(children.map { value($0, attributeName: an) }))])
        }
        let en = ValueText.enumeration(for: item.tag, attributeName: attributeName)
        let v: JSONValue
        switch item.value {
        case .integer(let n) where en == nil: v = .integer(Int64(n))
        case .longInteger(let n): v = .integer(n)
        case .interval(let n): v = .integer(Int64(n.seconds))
        case .boolean(let b): v = .bool(b)
        default: v = .string(ValueText.format(item.value, enumeration: en))
        }
        return .object([("tag", tagText), ("type", .string(item.value.itemType.xmlName)), ("value", v)])
    }

    public static func encode(_ item: TTLV) -> String { value(item).serialized() + "\n" }
}
