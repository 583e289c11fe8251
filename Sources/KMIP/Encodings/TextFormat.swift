/// The indented, human-readable dump of `strongroom ttlv decode`:
/// `Operation (Enumeration): Create` per line, names resolved as in the XML encoding.
public enum TextFormat {
    public static func format(_ item: TTLV) -> String {
        var out = ""
        write(item, indent: 0, attributeName: nil, into: &out)
        return out
    }

    static func write(_ item: TTLV, indent: Int, attributeName: String?, into out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        let name = item.tag.xmlName
        if case .structure(let children) = item.value {
            out += "\(pad)\(name) (Structure)\n"
            let an = item.attributeName
            for c in children { write(c, indent: indent + 1, attributeName: an, into: &out) }
            return
        }
        let en = ValueText.enumeration(for: item.tag, attributeName: attributeName)
        var text = ValueText.format(item.value, enumeration: en)
        if case .textString = item.value { text = JSONValue.quote(text) }
        out += "\(pad)\(name) (\(item.value.itemType.xmlName)): \(text)\n"
    }
}
