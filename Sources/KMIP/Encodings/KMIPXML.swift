/// The KMIP XML encoding: `<Tag type="Type" value="…"/>`, structures as nested elements without a
/// type, unknown tags as `<TTLV tag="0x54XXXX" …>`.
public enum KMIPXML {
    /// Parses one message (or any item).
    public static func decode(_ xml: String) throws -> TTLV {
        try tree(XMLReader.parse(xml), structure: { TTLV($0, .structure($1)) }, leaf: { TTLV($0.tag, try $0.value()) })
    }

    /// Parses one message, alone or wrapped in `<KMIP>…</KMIP>` as the OASIS files and Vault's
    /// client API write it (the wrapper then holds exactly one element).
    public static func decodeMessage(_ xml: String, maxDepth: Int = 64) throws -> TTLV {
        var root = try XMLReader.parse(xml, maxDepth: maxDepth + 1)
        if root.name == "KMIP" {
            guard root.children.count == 1 else {
                throw XMLError(offset: root.offset, message: "<KMIP> must hold exactly one message, not \(root.children.count) elements")
            }
            root = root.children[0]
        }
        return try tree(root, structure: { TTLV($0, .structure($1)) }, leaf: { TTLV($0.tag, try $0.value()) })
    }

    /// Converts an element tree into any tree of items: `structure` builds a Structure from its
    /// converted children, `leaf` a primitive from its text (a test-case reader may read some texts
    /// as something else than values, as the OASIS files' `$NAME` placeholders). `collapseWhitespace`
    /// folds runs of spaces in values, for test cases extracted from HTML.
    public static func tree<Node>(_ e: KMIPXMLElement, collapseWhitespace: Bool = false, attributeName: String? = nil,
                                  structure: (Tag, [Node]) throws -> Node, leaf: (KMIPTextLeaf) throws -> Node) throws -> Node {
        let tag: Tag
        if e.name == "TTLV" {
            guard let t = e[attribute: "tag"].flatMap({ Tag(xmlName: $0) }) else {
                throw XMLError(offset: e.offset, message: "<TTLV> needs a tag=\"0xXXXXXX\" attribute")
            }
            tag = t
        } else {
            guard let t = Tag(xmlName: e.name) else { throw XMLError(offset: e.offset, message: "unknown element <\(e.name)>") }
            tag = t
        }
        let typeName = e[attribute: "type"] ?? "Structure"
        guard let type = ItemType.allCases.first(where: { $0.xmlName == typeName }) else {
            throw XMLError(offset: e.offset, message: "unknown type \"\(typeName)\" on <\(e.name)>")
        }
        if type == .structure {
            // Inside an Attribute, the Attribute Name decides how the Attribute Value's names read.
            var name: String?
            if let n = e.children.first(where: { $0.name == "AttributeName" }) { name = n[attribute: "value"] }
            return try structure(tag, try e.children.map {
                try tree($0, collapseWhitespace: collapseWhitespace, attributeName: name, structure: structure, leaf: leaf)
            })
        }
        guard e.children.isEmpty else {
            throw XMLError(offset: e.offset, message: "<\(e.name)> of type \(typeName) cannot hold elements")
        }
        guard var text = e[attribute: "value"] else {
            throw XMLError(offset: e.offset, message: "<\(e.name)> has no value attribute")
        }
        if collapseWhitespace { text = ValueText.collapse(text) }
        let elementName = e.name, offset = e.offset
        return try leaf(KMIPTextLeaf(tag: tag, type: type, text: text, attributeName: attributeName) {
            XMLError(offset: offset, message: "\"\(text)\" is not a valid \(type.specName) for <\(elementName)>")
        })
    }

    /// The XML element of an item.
    public static func element(_ item: TTLV, attributeName: String? = nil) -> KMIPXMLElement {
        let known = item.tag.definition != nil
        var attrs: [(String, String)] = known ? [] : [("tag", item.tag.hexString)]
        let name = known ? item.tag.xmlName : "TTLV"
        if case .structure(let children) = item.value {
            let an = item.attributeName
            return KMIPXMLElement(name: name, attributes: attrs, children: children.map { element($0, attributeName: an) }, offset: 0)
        }
        let en = ValueText.enumeration(for: item.tag, attributeName: attributeName)
        attrs.append(("type", item.value.itemType.xmlName))
        attrs.append(("value", ValueText.format(item.value, enumeration: en)))
        return KMIPXMLElement(name: name, attributes: attrs, children: [], offset: 0)
    }

    public static func encode(_ item: TTLV) -> String { element(item).xmlString() }
}
