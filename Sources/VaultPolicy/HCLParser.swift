/// The HCL v1 subset that Vault policies use, plus JSON (input starting with `{` or `[`).
/// Positions are 1-based lines and columns in Unicode scalars, as HCL reports them.

struct HCLError: Error, Sendable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String
    var description: String { "At \(line):\(column): \(message)" }
}

struct HCLToken: Sendable {
    enum Kind: String, Sendable {
        case ident = "IDENT", string = "STRING", heredoc = "HEREDOC", number = "NUMBER"
        case lbrace = "LBRACE", rbrace = "RBRACE", lbrack = "LBRACK", rbrack = "RBRACK"
        case assign = "ASSIGN", colon = "COLON", comma = "COMMA", comment = "COMMENT", eof = "EOF"
    }
    var kind: Kind
    /// The decoded value of strings and heredocs, the source text otherwise.
    var text: String
    var line: Int
    var column: Int
    /// Last line the token covers (heredocs and block comments span lines).
    var endLine: Int
}

/// One `key… = value` or `key… { … }` entry; `path "p" {}` has keys `["path", "p"]`.
struct HCLItem: Sendable {
    var keys: [String]
    var line: Int
    /// Line of the `=`/`:`; nil for a block. Vault reports unknown keys on this line.
    var assignLine: Int?
    var value: HCLNode
}

struct HCLNode: Sendable {
    enum Value: Sendable {
        case string(String), number(Double), bool(Bool), null
        case list([HCLNode]), object([HCLItem])
    }
    var value: Value
    var line: Int
    var column: Int
}

enum HCL {
    /// Nesting bound: policy text comes from API clients and the parser recurses.
    static let maxDepth = 64

    /// Parses a document: the top-level body as an object node, or the JSON root value.
    static func parse(_ text: String) throws(HCLError) -> HCLNode {
        var parser = Parser(tokens: try tokenize(text).filter { $0.kind != .comment })
        return try parser.document()
    }

    /// JSON when the first token is `{` or `[` (Vault: the first non-space character is `{`).
    static func isJSON(_ text: String) -> Bool {
        let first = (try? tokenize(text))?.first { $0.kind != .comment }
        return first?.kind == .lbrace || first?.kind == .lbrack
    }

    static func tokenize(_ text: String) throws(HCLError) -> [HCLToken] {
        var lexer = Lexer(Array(text.unicodeScalars))
        var tokens: [HCLToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .eof { return tokens }
        }
    }
}

private struct Lexer {
    let s: [Unicode.Scalar]
    var i = 0, line = 1, column = 1

    init(_ s: [Unicode.Scalar]) { self.s = s }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    @discardableResult mutating func advance() -> Unicode.Scalar {
        let c = s[i]
        i += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
        return c
    }

    func error(_ message: String, _ l: Int, _ c: Int) -> HCLError { HCLError(line: l, column: c, message: message) }

    mutating func take(while accept: (Unicode.Scalar) -> Bool) -> String {
        var text = String.UnicodeScalarView()
        while let c = peek(), accept(c) { text.append(advance()) }
        return String(text)
    }

    static func isWord(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || c.properties.numericType != nil || c == "_"
    }

    mutating func next() throws(HCLError) -> HCLToken {
        while let c = peek(), c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{FEFF}" { advance() }
        let (l, col) = (line, column)
        func token(_ kind: HCLToken.Kind, _ text: String) -> HCLToken {
            HCLToken(kind: kind, text: text, line: l, column: col, endLine: line)
        }
        guard let c = peek() else { return token(.eof, "") }
        let punct: [Unicode.Scalar: HCLToken.Kind] = [
            "{": .lbrace, "}": .rbrace, "[": .lbrack, "]": .rbrack, "=": .assign, ":": .colon, ",": .comma,
        ]
        if let kind = punct[c] { advance(); return token(kind, String(c)) }
        switch c {
        case "#",
            "/" where peek(1) == "/":
            return token(.comment, take { $0 != "\n" && $0 != "\r" })
        case "/" where peek(1) == "*":
            var text = ""
            while !(peek() == "*" && peek(1) == "/") {
                guard peek() != nil else { throw error("comment not terminated", l, col) }
                text.unicodeScalars.append(advance())
            }
            advance(); advance()
            return token(.comment, text + "*/")
        case "\"":
            return token(.string, try quoted())
        case "<" where peek(1) == "<":
            return token(.heredoc, try heredoc())
        case "-", "0"..."9":
            guard c != "-" || (peek(1).map { ("0"..."9").contains($0) } ?? false) else { break }
            var text = String(advance())
            while let d = peek(), ("0"..."9").contains(d) || d == "." || d == "e" || d == "E"
                || ((d == "+" || d == "-") && (text.hasSuffix("e") || text.hasSuffix("E")))
            {
                text.unicodeScalars.append(advance())
            }
            guard Double(text) != nil else { throw error("invalid number \(text)", l, col) }
            return token(.number, text)
        default:
            if c.properties.isAlphabetic || c == "_" {
                return token(.ident, take { Self.isWord($0) || $0 == "-" || $0 == "." })
            }
        }
        throw error("illegal char \(goQuote(String(c)))", l, col)
    }

    mutating func quoted() throws(HCLError) -> String {
        let (l, col) = (line, column)
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek(), c != "\n" else { throw error("literal not terminated", l, col) }
            advance()
            if c == "\"" { return String(out) }
            guard c == "\\" else { out.append(c); continue }
            let (el, ec) = (line, column - 1)
            guard let e = peek() else { throw error("literal not terminated", l, col) }
            advance()
            let simple: [Unicode.Scalar: Unicode.Scalar] = [
                "n": "\n", "t": "\t", "r": "\r", "\"": "\"", "\\": "\\", "/": "/", "b": "\u{8}", "f": "\u{C}",
            ]
            if let v = simple[e] { out.append(v); continue }
            guard e == "u" || e == "U", var v = hexValue(count: e == "u" ? 4 : 8) else {
                throw error("invalid escape sequence", el, ec)
            }
            // A JSON surrogate pair (\uD83D\uDE00) encodes one scalar.
            if (0xD800..<0xDC00).contains(v), peek() == "\\", peek(1) == "u" {
                let save = (i, line, column)
                advance(); advance()
                if let low = hexValue(count: 4), (0xDC00..<0xE000).contains(low) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                } else { (i, line, column) = save }
            }
            guard let scalar = Unicode.Scalar(v) else { throw error("invalid escape sequence", el, ec) }
            out.append(scalar)
        }
    }

    mutating func hexValue(count: Int) -> UInt32? {
        guard i + count <= s.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<count {
            guard s[i + k] != "+", s[i + k] != "-", let d = UInt32(String(s[i + k]), radix: 16) else { return nil }
            v = v << 4 | d
        }
        for _ in 0..<count { advance() }
        return v
    }

    /// `<<EOF` / `<<-EOF`; the value keeps each line's newline. `<<-` strips the terminator's
    /// indentation from every line when all lines have it, as HCL v1 does.
    mutating func heredoc() throws(HCLError) -> String {
        let (l, col) = (line, column)
        advance(); advance()
        let indented = peek() == "-"
        if indented { advance() }
        let anchor = take { Self.isWord($0) || $0 == "-" }
        if peek() == "\r" { advance() }
        guard !anchor.isEmpty, peek() == "\n" else { throw error("heredoc expected marker", l, col) }
        advance()
        var lines: [String] = []
        while true {
            guard peek() != nil else { throw error("heredoc not terminated", l, col) }
            var text = take { $0 != "\n" }
            if text.hasSuffix("\r") { text.removeLast() }
            let body = indented ? String(text.drop(while: { $0 == " " || $0 == "\t" })) : text
            if body == anchor {
                guard indented else { break }
                let prefix = String(text.prefix(text.count - anchor.count))
                if lines.allSatisfy({ $0.hasPrefix(prefix) }) {
                    lines = lines.map { String($0.dropFirst(prefix.count)) }
                }
                break
            }
            lines.append(text)
            if peek() == "\n" { advance() }
        }
        return lines.map { $0 + "\n" }.joined()
    }
}

private struct Parser {
    let tokens: [HCLToken]
    var p = 0
    var json = false
    var depth = 0

    init(tokens: [HCLToken]) { self.tokens = tokens }

    var tok: HCLToken { tokens[p] }

    func fail(_ message: String, at t: HCLToken? = nil) -> HCLError {
        let t = t ?? tok
        return HCLError(line: t.line, column: t.column, message: message)
    }

    mutating func document() throws(HCLError) -> HCLNode {
        let first = tok
        if first.kind == .lbrace || first.kind == .lbrack {
            json = true
            let root = try value()
            guard tok.kind == .eof else { throw fail("unexpected token after JSON value: \(tok.kind.rawValue)") }
            return root
        }
        return HCLNode(value: .object(try body(until: .eof)), line: first.line, column: first.column)
    }

    mutating func body(until closer: HCLToken.Kind) throws(HCLError) -> [HCLItem] {
        var items: [HCLItem] = []
        while tok.kind != closer {
            if tok.kind == .eof { throw fail("object expected closing RBRACE got: EOF") }
            items.append(try item())
            if tok.kind == .comma { p += 1 }
        }
        return items
    }

    mutating func item() throws(HCLError) -> HCLItem {
        let start = tok
        var keys: [String] = []
        // HCL keys may carry labels (`path "p" {`); a JSON member has exactly one string key.
        while tok.kind == .string || (tok.kind == .ident && !json) {
            keys.append(tok.text)
            p += 1
            if json { break }
        }
        guard let last = keys.last else { throw fail("expected: IDENT | STRING got: \(tok.kind.rawValue)") }
        switch tok.kind {
        case .assign where !json, .colon where json:
            let line = tok.line
            p += 1
            let v = try value()
            if keys.count > 1 {
                guard case .object = v.value else { throw fail("nested object expected: LBRACE", at: tokens[p - 1]) }
            }
            return HCLItem(keys: keys, line: start.line, assignLine: line, value: v)
        case .lbrace where !json:
            return HCLItem(keys: keys, line: start.line, assignLine: nil, value: try value())
        default:
            throw fail("key '\(last)' expected start of object ('{') or assignment ('=')")
        }
    }

    mutating func value() throws(HCLError) -> HCLNode {
        let t = tok
        func node(_ v: HCLNode.Value) -> HCLNode { HCLNode(value: v, line: t.line, column: t.column) }
        switch t.kind {
        case .string, .heredoc:
            p += 1
            return node(.string(t.text))
        case .number:
            p += 1
            return node(.number(Double(t.text) ?? 0))
        case .ident where t.text == "true" || t.text == "false":
            p += 1
            return node(.bool(t.text == "true"))
        case .ident where t.text == "null" && json:
            p += 1
            return node(.null)
        case .lbrack, .lbrace:
            depth += 1
            defer { depth -= 1 }
            guard depth <= HCL.maxDepth else { throw fail("nesting deeper than \(HCL.maxDepth) levels") }
            p += 1
            if t.kind == .lbrace {
                let items = try body(until: .rbrace)
                p += 1
                return node(.object(items))
            }
            var elements: [HCLNode] = []
            while tok.kind != .rbrack {
                elements.append(try value())
                if tok.kind == .comma {
                    p += 1
                } else if tok.kind != .rbrack {
                    throw fail("unexpected token while parsing list: \(tok.kind.rawValue)")
                }
            }
            p += 1
            return node(.list(elements))
        default:
            throw fail("Unknown token: \(t.line):\(t.column) \(t.kind.rawValue) \(t.text)")
        }
    }
}

/// Go's `%q`: the form Vault's messages quote names in.
func goQuote(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if c.value < 0x20 || c.value == 0x7F {
                out += "\\x" + (c.value < 0x10 ? "0" : "") + String(c.value, radix: 16)
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }
    return out + "\""
}
