/// A primitive item of the XML or JSON encoding before its text is read: what a tree builder's
/// `leaf` receives (``KMIPXML/tree(_:collapseWhitespace:attributeName:structure:leaf:)``).
public struct KMIPTextLeaf {
    public var tag: Tag
    public var type: ItemType
    /// The value as written (a name, hex, a number…).
    public var text: String
    /// The Attribute Name of the enclosing Attribute, which decides how an Attribute Value's names read.
    public var attributeName: String?
    let invalid: () -> any Error

    init(tag: Tag, type: ItemType, text: String, attributeName: String?, invalid: @escaping () -> any Error) {
        self.tag = tag; self.type = type; self.text = text; self.attributeName = attributeName; self.invalid = invalid
    }

    /// The text read as a value of `type`; throws the encoding's error when it is not one.
    public func value() throws -> TTLV.Value {
        let en = ValueText.enumeration(for: tag, attributeName: attributeName)
        guard let v = ValueText.parse(text, type: type, enumeration: en) else { throw invalid() }
        return v
    }
}
