/// Vault's duration fields (`framework.TypeDurationSecond`) and how its CLI prints them. The one
/// duration syntax of the API, the CLI and the server's configuration file.
public enum VaultDuration {
    /// Seconds from a duration string: a bare number of seconds (`"86400"`) or a sequence of
    /// number+unit (`"1s"`, `"20m"`, `"336h"`, `"1h30m"`, `"1.5h"`; units ns, us, µs, ms, s, m, h, d),
    /// rounded down to whole seconds. Negative values are refused.
    public static func seconds(parsing text: String, field: String) throws(FieldError) -> Int {
        let s = text.trimmingSpaces
        let bad = FieldError("\(field): invalid duration \"\(text)\"; use e.g. \"1s\", \"20m\", \"336h\" or a number of seconds")
        guard !s.isEmpty else { throw bad }
        if let i = Int(s) {
            guard i >= 0 else { throw FieldError("\(field) must not be negative") }
            return i
        }
        var rest = Substring(s)
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard !number.isEmpty, let value = Double(number) else { throw bad }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix(while: { !$0.isNumber && $0 != "." })
            guard let unit = units.first(where: { $0.0 == unitText }) else { throw bad }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total.isFinite, total < 1e15 else { throw bad }
        return Int(total.rounded(.down))
    }

    /// Seconds from a JSON value: a whole non-negative number, or a duration string.
    public static func seconds(_ value: VaultValue, field: String) throws(FieldError) -> Int {
        switch value {
        case .number(let n):
            if let i = Int(n.literal) {
                guard i >= 0 else { throw FieldError("\(field) must not be negative") }
                return i
            }
            guard let d = n.double, d >= 0 else { throw FieldError("\(field) must not be negative") }
            guard d.rounded() == d, d < 1e15, let i = n.int else {
                throw FieldError("\(field) must be a whole, non-negative number of seconds")
            }
            return i
        case .string(let s):
            return try seconds(parsing: s, field: field)
        default:
            throw FieldError("\(field) must be a duration such as \"1s\", \"20m\" or \"336h\", or a number of seconds")
        }
    }

    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ]

    /// Vault's CLI `humanDuration`: Go's `Duration.String` with `m0s` and `h0m` trimmed (86400 → `24h`).
    public static func human(seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        var s = goString(seconds: seconds)
        if s.hasSuffix("m0s") { s.removeLast(2) }
        if let r = s.range(of: "h0m"), r.lowerBound > s.startIndex {
            s.replaceSubrange(r, with: "h")
        }
        return s
    }

    /// Go's `time.Duration.String` for whole seconds (`1h0m0s`).
    public static func goString(seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : ""
        let v = seconds.magnitude
        let h = v / 3600, m = (v % 3600) / 60, sec = v % 60
        if v < 60 { return "\(sign)\(sec)s" }
        if v < 3600 { return "\(sign)\(m)m\(sec)s" }
        return "\(sign)\(h)h\(m)m\(sec)s"
    }
}

extension StringProtocol {
    /// Without leading and trailing white space, as Go's `strings.TrimSpace` (Unicode White_Space:
    /// spaces, tabs, line breaks, no-break spaces). No Foundation needed.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
