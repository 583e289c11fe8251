/// The KMIP XML encoding: `<Tag type="Type" value="…"/>`, structures as nested elements without a
/// type, unknown tags as `<TTLV tag="0x54XXXX" …>`.
public enum KMIPXML {
    /// Parses one message (or any item) with no placeholders.
    public static func decode(_ xml: String) throws -> TTLV {
        try template(XMLReader.parse(xml), placeholders: false).bind { p, tag, _ in
            throw XMLError(offset: 0, message: "placeholder \(p) in \(tag.xmlName) has no value")
        }
    }

    /// The Request and Response Messages of an OASIS test case (`<KMIP>` or `<KmipTestCase>` root),
    /// in order, with their placeholders unbound.
    public static func testCaseMessages(_ xml: String, collapseWhitespace: Bool = false) throws -> [TTLVTemplate] {
        let root = try XMLReader.parse(xml)
        return try root.children.filter { $0.name == "RequestMessage" || $0.name == "ResponseMessage" }
            .map { try template($0, collapseWhitespace: collapseWhitespace) }
    }

    /// Converts an element tree. `collapseWhitespace` folds runs of spaces in values, for test cases
    /// extracted from HTML.
    /// `placeholders`: read `$NAME` values as test-case placeholders (the OASIS files) rather than
    /// as text.
    public static func template(_ e: KMIPXMLElement, collapseWhitespace: Bool = false, attributeName: String? = nil,
                                placeholders: Bool = true) throws -> TTLVTemplate {
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
            let children = try e.children.map { try template($0, collapseWhitespace: collapseWhitespace, attributeName: name, placeholders: placeholders) }
            return TTLVTemplate(tag, .structure(children))
        }
        guard e.children.isEmpty else {
            throw XMLError(offset: e.offset, message: "<\(e.name)> of type \(typeName) cannot hold elements")
        }
        guard var text = e[attribute: "value"] else {
            throw XMLError(offset: e.offset, message: "<\(e.name)> has no value attribute")
        }
        if collapseWhitespace { text = ValueText.collapse(text) }
        if placeholders, let p = Placeholder(text) { return TTLVTemplate(tag, .placeholder(p, type)) }
        let en = ValueText.enumeration(for: tag, attributeName: attributeName)
        guard let v = ValueText.parse(text, type: type, enumeration: en) else {
            throw XMLError(offset: e.offset, message: "\"\(text)\" is not a valid \(type.specName) for <\(e.name)>")
        }
        return TTLVTemplate(tag, .value(v))
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
