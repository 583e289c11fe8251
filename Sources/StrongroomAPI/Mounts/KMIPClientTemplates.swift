import Foundation
import KMIP

/// The built-in request templates of Vault 2.0's KMIP client API (reference vault-2-kmip-api.md
/// §7.5): KMIP 1.4 requests in the KMIP XML encoding with `PARAMETER_<name>` placeholders. Values
/// are substituted as XML attribute text (escaped), so a parameter can never add an element.
/// The combined templates locate one object by name (Maximum Items 1) and act on it through the ID
/// Placeholder.
public struct KMIPClientTemplate: Sendable, Hashable {
    public let name: String
    public let xml: String
    /// Every parameter the template names, in order of first use.
    public var parameters: [String] { Self.parameters(in: xml) }
    /// Parameters that may be left out: the element naming them is dropped.
    public let optional: Set<String>

    static let placeholderPrefix = "PARAMETER_"

    /// The names after `PARAMETER_` in `xml`, in order of first use.
    static func parameters(in xml: String) -> [String] {
        var names: [String] = []
        var rest = Substring(xml)
        while let range = rest.range(of: placeholderPrefix) {
            let tail = rest[range.upperBound...]
            let name = String(tail.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            if !name.isEmpty, !names.contains(name) { names.append(name) }
            rest = tail
        }
        return names
    }

    /// The XML with `values` substituted (escaped). Throws naming the required parameters left
    /// without a value.
    public func render(_ values: [String: String]) throws -> String {
        try Self.render(xml, values, optional: optional)
    }

    /// One pass over the text, so a value is never read as a placeholder. Lines naming an optional
    /// parameter left without a value are dropped first.
    static func render(_ xml: String, _ values: [String: String], optional: Set<String> = []) throws -> String {
        let names = parameters(in: xml)
        let required = names.filter { values[$0] == nil && !optional.contains($0) }
        guard required.isEmpty else { throw APIError.invalid("missing template parameter(s): \(required.joined(separator: ", "))") }
        let dropped = names.filter { values[$0] == nil }
        let template = dropped.isEmpty ? xml : xml.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in !dropped.contains { line.contains(placeholderPrefix + $0) } }.joined(separator: "\n")
        var out = ""
        var rest = Substring(template)
        while let range = rest.range(of: placeholderPrefix) {
            out += rest[..<range.lowerBound]
            let tail = rest[range.upperBound...]
            let name = String(tail.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            out += values[name].map(escaped) ?? placeholderPrefix + name
            rest = tail.dropFirst(name.count)
        }
        return out + rest
    }

    /// XML attribute text (the KMIP library's escaping: markup and control characters as references).
    static func escaped(_ value: String) -> String { KMIPXMLElement.escape(value) }

    // MARK: The built-in templates

    public static let builtIn: [String: KMIPClientTemplate] = {
        var all: [KMIPClientTemplate] = [
            KMIPClientTemplate(name: "create", xml: message([item("Create", """
                <ObjectType type="Enumeration" value="SymmetricKey"/>
                <TemplateAttribute>
                \(attribute("Cryptographic Algorithm", enumeration: "PARAMETER_algorithm"))
                \(attribute("Cryptographic Length", integer: "PARAMETER_length"))
                \(attribute("Cryptographic Usage Mask", integer: "PARAMETER_usage_mask"))
                \(nameAttribute)
                </TemplateAttribute>
                """)]), optional: []),
            KMIPClientTemplate(name: "locate", xml: message([item("Locate", "")]), optional: []),
            KMIPClientTemplate(name: "locate_by_name", xml: message([item("Locate", nameAttribute)]), optional: []),
        ]
        // One object by Unique Identifier, or the one Locate found (ID Placeholder).
        for (suffix, operations) in actions {
            all.append(KMIPClientTemplate(name: suffix, xml: message(operations.map { item($0.operation, uid + $0.payload) }),
                                          optional: ["iv_counter_nonce", "padding_method"]))
            all.append(KMIPClientTemplate(name: "locate_" + suffix, xml: message(
                [item("Locate", "<MaximumItems type=\"Integer\" value=\"1\"/>\n" + nameAttribute)]
                    + operations.map { item($0.operation, $0.payload) }), optional: ["iv_counter_nonce", "padding_method"]))
        }
        // Vault's 22: encrypt and decrypt only after a Locate, destroy only alone.
        let unlisted: Set = ["encrypt", "decrypt", "locate_destroy"]
        return Dictionary(uniqueKeysWithValues: all.filter { !unlisted.contains($0.name) }.map { ($0.name, $0) })
    }()

    /// The actions a template applies to one object: its name (and `locate_` + name) and the batch
    /// items after the object is found. Encrypt and decrypt exist only after a Locate.
    static let actions: [(String, [(operation: String, payload: String)])] = [
        ("get", [("Get", "")]),
        ("destroy", [("Destroy", "")]),
        ("revoke", [("Revoke", revocation)]),
        ("revoke_destroy", [("Revoke", revocation), ("Destroy", "")]),
        ("addattribute", [("AddAttribute", customAttribute)]),
        ("modifyattribute", [("ModifyAttribute", customAttribute)]),
        ("getattribute", [("GetAttributes", #"<AttributeName type="TextString" value="PARAMETER_attr_name"/>"#)]),
        ("getattributes", [("GetAttributes", "")]),
        ("getattributelist", [("GetAttributeList", "")]),
        ("encrypt", [("Encrypt", cipher)]),
        ("decrypt", [("Decrypt", cipher)]),
    ]

    static let uid = #"<UniqueIdentifier type="TextString" value="PARAMETER_unique_identifier"/>"# + "\n"
    static let nameAttribute = """
        <Attribute>
        <AttributeName type="TextString" value="Name"/>
        <AttributeValue>
        <NameValue type="TextString" value="PARAMETER_name"/>
        <NameType type="Enumeration" value="UninterpretedTextString"/>
        </AttributeValue>
        </Attribute>
        """
    static let revocation = """
        <RevocationReason>
        <RevocationReasonCode type="Enumeration" value="PARAMETER_revocation_reason_code"/>
        </RevocationReason>
        """
    static let customAttribute = """
        <Attribute>
        <AttributeName type="TextString" value="PARAMETER_attr_name"/>
        <AttributeValue type="PARAMETER_attr_type" value="PARAMETER_attr_value"/>
        </Attribute>
        """
    static let cipher = """
        <CryptographicParameters>
        <BlockCipherMode type="Enumeration" value="PARAMETER_block_cipher_mode"/>
        <PaddingMethod type="Enumeration" value="PARAMETER_padding_method"/>
        </CryptographicParameters>
        <Data type="ByteString" value="PARAMETER_data"/>
        <IVCounterNonce type="ByteString" value="PARAMETER_iv_counter_nonce"/>
        """

    static func attribute(_ name: String, enumeration value: String) -> String {
        "<Attribute>\n<AttributeName type=\"TextString\" value=\"\(name)\"/>\n<AttributeValue type=\"Enumeration\" value=\"\(value)\"/>\n</Attribute>"
    }

    static func attribute(_ name: String, integer value: String) -> String {
        "<Attribute>\n<AttributeName type=\"TextString\" value=\"\(name)\"/>\n<AttributeValue type=\"Integer\" value=\"\(value)\"/>\n</Attribute>"
    }

    static func item(_ operation: String, _ payload: String) -> String {
        "<BatchItem>\n<Operation type=\"Enumeration\" value=\"\(operation)\"/>\n<RequestPayload>\n\(payload)\n</RequestPayload>\n</BatchItem>"
    }

    /// A request of `items`; with several, each gets a Unique Batch Item ID (KMIP requires them).
    static func message(_ items: [String]) -> String {
        let numbered = items.count < 2 ? items : items.enumerated().map { i, item in
            item.replacingOccurrences(of: "\n<RequestPayload>", with: String(format: "\n<UniqueBatchItemID type=\"ByteString\" value=\"%02x\"/>\n<RequestPayload>", i + 1))
        }
        return """
        <KMIP>
        <RequestMessage>
        <RequestHeader>
        <ProtocolVersion>
        <ProtocolVersionMajor type="Integer" value="1"/>
        <ProtocolVersionMinor type="Integer" value="4"/>
        </ProtocolVersion>
        <BatchCount type="Integer" value="\(items.count)"/>
        </RequestHeader>
        \(numbered.joined(separator: "\n"))
        </RequestMessage>
        </KMIP>
        """
    }

    // MARK: Choosing one

    /// The built-in template for the operations of a `client/…` path: `locate/encrypt` is
    /// `locate_encrypt`, `revoke/destroy` `revoke_destroy`. Where two share a path, the parameters
    /// decide: `locate` with a `name` is `locate_by_name`, `getattributes` with an `attr_name` is
    /// `getattribute`.
    public static func choose(operations: [String], parameters: [String: String]) -> KMIPClientTemplate? {
        var name = operations.joined(separator: "_")
        if name == "locate", parameters["name"] != nil { name = "locate_by_name" }
        if name.hasSuffix("getattributes"), parameters["attr_name"] != nil { name = String(name.dropLast()) }
        return builtIn[name]
    }
}
