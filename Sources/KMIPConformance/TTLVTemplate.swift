import KMIP

/// A `$NAME` value in the OASIS test cases: `$UNIQUE_IDENTIFIER_0`, `$NOW`, `$NOW-3600`, `$IV_COUNTER_NONCE`…
/// A replayer binds each one to a concrete value (the identifier the server returned, the clock…).
public struct Placeholder: Hashable, Sendable, CustomStringConvertible {
    /// The text as written, without the `$`.
    public var text: String
    /// The name without index or offset: `UNIQUE_IDENTIFIER`, `NOW`.
    public var name: String
    /// The trailing `_N` index, if any.
    public var index: Int?
    /// For `$NOW±N`: the offset in seconds.
    public var offset: Int64?

    public init?(_ raw: String) {
        guard raw.hasPrefix("$"), raw.count > 1 else { return nil }
        text = String(raw.dropFirst())
        name = text
        if text.hasPrefix("NOW"), text.count > 3 {
            let rest = text.dropFirst(3)
            guard let sign = rest.first, sign == "+" || sign == "-", let n = Int64(rest.dropFirst()) else { return nil }
            name = "NOW"
            offset = sign == "-" ? -n : n
        } else if let underscore = text.lastIndex(of: "_"), let n = Int(text[text.index(after: underscore)...]) {
            name = String(text[..<underscore])
            index = n
        }
    }

    public var description: String { "$" + text }
}

/// A TTLV tree whose leaves may still be placeholders: an OASIS test case's message as read.
public struct TTLVTemplate: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        case structure([TTLVTemplate])
        case value(TTLV.Value)
        case placeholder(Placeholder, ItemType)
    }

    public var tag: Tag
    public var content: Content

    public init(_ tag: Tag, _ content: Content) { self.tag = tag; self.content = content }

    /// Every placeholder, in document order.
    public var placeholders: [Placeholder] {
        switch content {
        case .structure(let c): c.flatMap(\.placeholders)
        case .value: []
        case .placeholder(let p, _): [p]
        }
    }

    /// Replaces each placeholder with the value `binder` gives for it.
    public func bind(_ binder: (Placeholder, Tag, ItemType) throws -> TTLV.Value) rethrows -> TTLV {
        switch content {
        case .structure(let c): TTLV(tag, .structure(try c.map { try $0.bind(binder) }))
        case .value(let v): TTLV(tag, v)
        case .placeholder(let p, let type): TTLV(tag, try binder(p, tag, type))
        }
    }
}

extension TTLVTemplate {
    /// An element of the KMIP XML encoding, `$NAME` values read as placeholders.
    public init(xml e: KMIPXMLElement, collapseWhitespace: Bool = false) throws {
        self = try KMIPXML.tree(e, collapseWhitespace: collapseWhitespace, structure: { TTLVTemplate($0, .structure($1)) },
                                leaf: TTLVTemplate.init(leaf:))
    }

    init(leaf: KMIPTextLeaf) throws {
        if let p = Placeholder(leaf.text) { self.init(leaf.tag, .placeholder(p, leaf.type)) }
        else { self.init(leaf.tag, .value(try leaf.value())) }
    }
}

extension KMIPXML {
    /// The Request and Response Messages of an OASIS test case (`<KMIP>` or `<KmipTestCase>` root),
    /// in order, with their placeholders unbound.
    public static func testCaseMessages(_ xml: String, collapseWhitespace: Bool = false) throws -> [TTLVTemplate] {
        let root = try XMLReader.parse(xml)
        return try root.children.filter { $0.name == "RequestMessage" || $0.name == "ResponseMessage" }
            .map { try TTLVTemplate(xml: $0, collapseWhitespace: collapseWhitespace) }
    }
}
