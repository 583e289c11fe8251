import Foundation

/// `vault policy fmt`: validate, then lay the text out as hclfmt does. Works line by line on the
/// token stream, so comments and heredocs survive untouched.
public enum PolicyFormatter {
    public static func format(_ text: String) throws(ACLPolicyError) -> String {
        _ = try ACLPolicy.parse(name: "", text: text)
        let tokens: [HCLToken]
        do {
            if HCL.isJSON(text) { return json(try HCL.parse(text)) + "\n" }
            tokens = try HCL.tokenize(text)
        } catch { throw ACLPolicy.failure(error.description) }
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            // Every trailing CR goes (found by fuzzing: one pass kept a second one, the next removed it).
            var line = Array($0)
            while line.last == "\r" { line.removeLast() }
            return line
        }
        return render(entries(lines, tokens))
    }

    private enum Entry {
        case blank
        /// A line inside a heredoc or block comment, kept byte for byte.
        case raw(String)
        case code(level: Int, text: String)
        /// A one-line `key = value`; consecutive ones at a level align their `=`.
        case assign(level: Int, key: String, value: String)
    }

    private static func trimmed(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars)).trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\r")))
    }

    private static func entries(_ lines: [[Unicode.Scalar]], _ tokens: [HCLToken]) -> [Entry] {
        var out: [Entry] = []
        var depth = 0, next = 0, verbatimUntil = 0
        var blankPending = false
        func atBlankOrStart() -> Bool { if case .blank = out.last { true } else { out.isEmpty } }
        for (index, scalars) in lines.enumerated() {
            let number = index + 1
            let startDepth = depth
            var onLine: [HCLToken] = []
            while next < tokens.count, tokens[next].kind != .eof, tokens[next].line == number {
                onLine.append(tokens[next])
                depth += delta(tokens[next])
                next += 1
            }
            defer { verbatimUntil = max(verbatimUntil, onLine.map(\.endLine).max() ?? 0) }
            if number <= verbatimUntil {
                out.append(.raw(String(String.UnicodeScalarView(scalars))))
                continue
            }
            let text = trimmed(scalars)
            if text.isEmpty {
                if !atBlankOrStart() { out.append(.blank) }
                continue
            }
            // One blank line after each top-level block.
            if blankPending, !atBlankOrStart() { out.append(.blank) }
            blankPending = depth == 0 && onLine.contains { $0.kind == .rbrace }
            let level = max(0, startDepth - (onLine.first.map { delta($0) < 0 } == true ? 1 : 0))
            var running = 0
            let oneLine = onLine.allSatisfy { running += delta($0); return running >= 0 && $0.endLine == number }
            if oneLine, running == 0, onLine.count >= 3, [.ident, .string].contains(onLine[0].kind),
                onLine[1].kind == .assign
            {
                let eq = onLine[1].column - 1
                out.append(.assign(level: level, key: trimmed(scalars[..<eq]), value: trimmed(scalars[(eq + 1)...])))
            } else {
                out.append(.code(level: level, text: text))
            }
        }
        while case .blank = out.last { out.removeLast() }
        return out
    }

    private static func delta(_ t: HCLToken) -> Int {
        switch t.kind {
        case .lbrace, .lbrack: 1
        case .rbrace, .rbrack: -1
        default: 0
        }
    }

    private static func render(_ entries: [Entry]) -> String {
        var lines: [String] = []
        var i = 0
        while i < entries.count {
            let indent = { (level: Int) in String(repeating: "  ", count: level) }
            switch entries[i] {
            case .blank: lines.append("")
            case .raw(let s): lines.append(s)
            case .code(let level, let text): lines.append(indent(level) + text)
            case .assign(let level, _, _):
                var run: [(key: String, value: String)] = []
                while i < entries.count, case .assign(let l, let key, let value) = entries[i], l == level {
                    run.append((key, value))
                    i += 1
                }
                let width = run.map(\.key.count).max() ?? 0
                lines += run.map {
                    indent(level) + $0.key + String(repeating: " ", count: width - $0.key.count) + " = " + $0.value
                }
                continue
            }
            i += 1
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// JSON keeps its key order, two spaces per level.
    private static func json(_ node: HCLNode, _ indent: String = "") -> String {
        let inner = indent + "  "
        func block(_ open: String, _ close: String, _ parts: [String]) -> String {
            if parts.isEmpty { return open + close }
            return open + "\n" + parts.map { inner + $0 }.joined(separator: ",\n") + "\n" + indent + close
        }
        switch node.value {
        case .string(let s): return quoted(s)
        case .number(let d): return ACLPolicy.number(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .list(let nodes): return block("[", "]", nodes.map { json($0, inner) })
        case .object(let items): return block("{", "}", items.map { quoted($0.keys[0]) + ": " + json($0.value, inner) })
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"", "\\": out += "\\" + String(c)
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
