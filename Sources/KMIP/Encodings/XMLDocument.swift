/// A small, strict-enough XML reader for the KMIP XML encoding: elements, attributes, comments,
/// processing instructions, character and entity references. Text content is ignored (the KMIP XML
/// encoding carries every value in attributes; extracted test cases hold stray text).
public struct KMIPXMLElement: Sendable, Hashable {
    public var name: String
    public var attributes: [(String, String)]
    public var children: [KMIPXMLElement]
    /// Byte offset of the element's `<` in the document, for error messages.
    public var offset: Int

    public subscript(attribute name: String) -> String? { attributes.first { $0.0 == name }?.1 }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
            && a.children == b.children
    }
    public func hash(into h: inout Hasher) { h.combine(name); h.combine(children) }
}

public struct XMLError: Error, CustomStringConvertible, Sendable {
    public var offset: Int
    public var message: String
    public var description: String { "XML: \(message) at byte \(offset)" }
}

public enum XMLReader {
    /// Parses the first root element. Anything after it that is not an element (whitespace, comments,
    /// a duplicated closing tag as in one published OASIS file) is ignored.
    public static func parse(_ text: String, maxDepth: Int = 64) throws -> KMIPXMLElement {
        var p = Parser(Array(text.utf8), maxDepth: maxDepth)
        p.skipMisc()
        return try p.element(depth: 1)
    }

    struct Parser {
        let u: [UInt8]
        var i = 0
        let maxDepth: Int
        init(_ u: [UInt8], maxDepth: Int) { self.u = u; self.maxDepth = maxDepth }

        func fail(_ m: String) -> XMLError { XMLError(offset: i, message: m) }
        func peek(_ s: String) -> Bool {
            let b = Array(s.utf8)
            return i + b.count <= u.count && Array(u[i..<(i + b.count)]) == b
        }
        mutating func skipSpace() { while i < u.count, [0x20, 0x09, 0x0A, 0x0D].contains(u[i]) { i += 1 } }
        mutating func skip(past s: String) throws {
            let b = Array(s.utf8)
            while i + b.count <= u.count {
                if Array(u[i..<(i + b.count)]) == b { i += b.count; return }
                i += 1
            }
            throw fail("unterminated construct, expected \(s)")
        }
        /// Skips whitespace, comments, processing instructions, doctype and text.
        mutating func skipMisc() {
            while i < u.count {
                if peek("<!--") { _ = try? skip(past: "-->") }
                else if peek("<?") { _ = try? skip(past: "?>") }
                else if peek("<!") { _ = try? skip(past: ">") }
                else if u[i] == UInt8(ascii: "<") { return }
                else { i += 1 }
            }
        }
        mutating func name() throws -> String {
            let start = i
            while i < u.count, !([0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/"), UInt8(ascii: ">"), UInt8(ascii: "=")].contains(u[i])) { i += 1 }
            guard i > start else { throw fail("expected a name") }
            return String(decoding: u[start..<i], as: UTF8.self)
        }

        mutating func element(depth: Int) throws -> KMIPXMLElement {
            guard depth <= maxDepth else { throw fail("elements nested deeper than \(maxDepth)") }
            let start = i
            guard i < u.count, u[i] == UInt8(ascii: "<") else { throw fail("expected an element") }
            i += 1
            let n = try name()
            var attrs: [(String, String)] = []
            while true {
                skipSpace()
                guard i < u.count else { throw fail("unterminated start tag <\(n)>") }
                if peek("/>") {
                    i += 2
                    return KMIPXMLElement(name: n, attributes: attrs, children: [], offset: start)
                }
                if u[i] == UInt8(ascii: ">") { i += 1; break }
                let an = try name()
                skipSpace()
                guard i < u.count, u[i] == UInt8(ascii: "=") else { throw fail("expected = after attribute \(an)") }
                i += 1
                skipSpace()
                guard i < u.count, u[i] == UInt8(ascii: "\"") || u[i] == UInt8(ascii: "'") else { throw fail("expected a quoted value") }
                let q = u[i]
                i += 1
                let vs = i
                while i < u.count, u[i] != q { i += 1 }
                guard i < u.count else { throw fail("unterminated attribute value") }
                attrs.append((an, try unescape(u[vs..<i])))
                i += 1
            }
            var children: [KMIPXMLElement] = []
            while true {
                skipMisc()
                guard i < u.count else { throw fail("unterminated element <\(n)>") }
                if peek("</") {
                    i += 2
                    let close = try name()
                    guard close == n else { throw fail("</\(close)> closes <\(n)>") }
                    skipSpace()
                    guard i < u.count, u[i] == UInt8(ascii: ">") else { throw fail("expected >") }
                    i += 1
                    return KMIPXMLElement(name: n, attributes: attrs, children: children, offset: start)
                }
                children.append(try element(depth: depth + 1))
            }
        }

        func unescape(_ s: ArraySlice<UInt8>) throws -> String {
            guard s.contains(UInt8(ascii: "&")) else { return String(decoding: s, as: UTF8.self) }
            var out = ""
            var j = s.startIndex
            while j < s.endIndex {
                if s[j] == UInt8(ascii: "&"), let semi = s[j...].firstIndex(of: UInt8(ascii: ";")) {
                    let ent = String(decoding: s[(j + 1)..<semi], as: UTF8.self)
                    switch ent {
                    case "lt": out += "<"
                    case "gt": out += ">"
                    case "amp": out += "&"
                    case "quot": out += "\""
                    case "apos": out += "'"
                    default:
                        let code: UInt32?
                        if ent.hasPrefix("#x") || ent.hasPrefix("#X") { code = UInt32(ent.dropFirst(2), radix: 16) }
                        else if ent.hasPrefix("#") { code = UInt32(ent.dropFirst()) }
                        else { code = nil }
                        guard let c = code, let scalar = Unicode.Scalar(c) else { throw fail("unknown entity &\(ent);") }
                        out.unicodeScalars.append(scalar)
                    }
                    j = semi + 1
                } else {
                    let k = s[j...].firstIndex(of: UInt8(ascii: "&")) ?? s.endIndex
                    out += String(decoding: s[j..<max(k, j + 1)], as: UTF8.self)
                    j = max(k, j + 1)
                }
            }
            return out
        }
    }
}

extension KMIPXMLElement {
    /// Serialises with two-space indentation, attributes in order.
    public func xmlString(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        var s = pad + "<" + name
        for (k, v) in attributes { s += " \(k)=\"\(KMIPXMLElement.escape(v))\"" }
        if children.isEmpty { return s + "/>\n" }
        s += ">\n"
        for c in children { s += c.xmlString(indent: indent + 1) }
        return s + pad + "</\(name)>\n"
    }

    /// Text for an XML attribute value: markup characters and control characters as references.
    public static func escape(_ v: String) -> String {
        var out = ""
        for ch in v.unicodeScalars {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default:
                if ch.value < 0x20 { out += "&#\(ch.value);" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
