import Foundation
import VaultFramework

/// A Vault policy capability. Ordered by name: `sys/capabilities` answers sorted alphabetically.
public enum ACLCapability: String, Sendable, Hashable, CaseIterable, Comparable {
    case create, read, update, patch, delete, list, sudo, deny
    /// Accepted by current Vault's parser; Strongroom has no event or recover operations yet.
    case subscribe, recover

    public static func < (a: ACLCapability, b: ACLCapability) -> Bool { a.rawValue < b.rawValue }
}

public struct ACLPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// One `path "…" {}` block after parsing.
public struct ACLPathRule: Sendable, Hashable {
    /// As written minus a leading `/`, trailing `*` included.
    public var pattern: String
    public var capabilities: Set<ACLCapability>
    /// Lower-cased parameter name → accepted values; `[]` accepts any value.
    public var allowedParameters: [String: [VaultValue]]
    public var deniedParameters: [String: [VaultValue]]
    public var requiredParameters: [String]
    /// Seconds; nil when unset (Vault's zero).
    public var minWrappingTTL: Int?
    public var maxWrappingTTL: Int?

    public init(
        pattern: String, capabilities: Set<ACLCapability>, allowedParameters: [String: [VaultValue]] = [:],
        deniedParameters: [String: [VaultValue]] = [:], requiredParameters: [String] = [],
        minWrappingTTL: Int? = nil, maxWrappingTTL: Int? = nil
    ) {
        self.pattern = pattern
        self.capabilities = capabilities
        self.allowedParameters = allowedParameters
        self.deniedParameters = deniedParameters
        self.requiredParameters = requiredParameters
        self.minWrappingTTL = minWrappingTTL
        self.maxWrappingTTL = maxWrappingTTL
    }

    /// `+` counts only as a whole segment, but Vault flags the rule on these substrings.
    public var hasSegmentWildcards: Bool { pattern == "+" || pattern.contains("/+") || pattern.hasPrefix("+/") }
    /// A trailing `*` on a rule without `+` makes a prefix rule.
    public var isPrefix: Bool { pattern.hasSuffix("*") && !hasSegmentWildcards }
}

public struct ACLPolicy: Sendable, Hashable {
    public var name: String
    public var rules: [ACLPathRule]

    public init(name: String, rules: [ACLPathRule]) {
        self.name = name
        self.rules = rules
    }

    /// Parses HCL or JSON policy text with Vault's checks and messages (`vault/policy.go`).
    public static func parse(name: String, text: String) throws(ACLPolicyError) -> ACLPolicy {
        let root: HCLNode
        do { root = try HCL.parse(text) } catch { throw failure(error.description) }
        guard case .object(let items) = root.value else { throw failure("does not contain a root object") }
        try checkKeys(items, valid: ["name", "path"], prefix: "")
        for item in items where item.keys == ["name"] {
            _ = try string(item.value, "name", prefix: "")
        }
        var rules: [ACLPathRule] = []
        for item in items where item.keys[0] == "path" {
            for (key, body) in try pathEntries(item) {
                if let rule = try parseRule(key: key, body: body) { rules.append(rule) }
            }
        }
        return ACLPolicy(name: name, rules: rules)
    }

    static func failure(_ body: String) -> ACLPolicyError { ACLPolicyError(message: "failed to parse policy: " + body) }

    /// Go multierror's list format, which Vault's key checks return.
    static func multierror(_ errors: [String]) -> String {
        let head = errors.count == 1 ? "1 error occurred:" : "\(errors.count) errors occurred:"
        return head + "\n\t" + errors.map { "* " + $0 }.joined(separator: "\n\t") + "\n\n"
    }

    static func checkKeys(_ items: [HCLItem], valid: Set<String>, prefix: String) throws(ACLPolicyError) {
        let bad = items.filter { !valid.contains($0.keys[0]) }.map {
            "\(prefix)invalid key \(goQuote($0.keys[0])) on line \($0.assignLine ?? $0.line)"
        }
        if !bad.isEmpty { throw failure(multierror(bad)) }
    }

    /// `path "p" {}`, `path "p" = {}`, `path = { "p" = {} }` and JSON's `"path": {…}` or `[{…}, …]`.
    static func pathEntries(_ item: HCLItem) throws(ACLPolicyError) -> [(String, HCLNode)] {
        if item.keys.count == 2 { return [(item.keys[1], item.value)] }
        let objects: [HCLNode]
        switch item.value.value {
        case .object where item.keys.count == 1: objects = [item.value]
        case .list(let nodes) where item.keys.count == 1: objects = nodes
        default: objects = [item.value]
        }
        var entries: [(String, HCLNode)] = []
        for node in objects {
            guard item.keys.count == 1, case .object(let inner) = node.value else {
                throw failure(at(node, "path must be a block or an object of path blocks"))
            }
            for entry in inner {
                guard entry.keys.count == 1 else { throw failure(at(entry.value, "too many labels on a path")) }
                entries.append((entry.keys[0], entry.value))
            }
        }
        return entries
    }

    static let pathKeys: Set<String> = [
        "comment", "policy", "capabilities", "allowed_parameters", "denied_parameters", "required_parameters",
        "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods", "control_group", "subscribe_event_types",
    ]
    static let legacy: [String: [String]] = [
        "deny": ["deny"], "read": ["read", "list"], "write": ["create", "read", "update", "delete", "list"],
        "sudo": ["create", "read", "update", "delete", "list", "sudo"],
    ]

    /// One path block, checked in Vault's order. Nil for a templated path: Strongroom has no identity
    /// entities, and Vault skips a path whose template cannot be filled.
    static func parseRule(key: String, body: HCLNode) throws(ACLPolicyError) -> ACLPathRule? {
        let templated = try checkTemplate(key)
        let prefix = "path \(goQuote(key)): "
        guard case .object(let items) = body.value else { throw failure(prefix + at(body, "expected a block")) }
        try checkKeys(items, valid: pathKeys, prefix: prefix)
        var fields: [String: HCLNode] = [:]
        for item in items { fields[item.keys[0]] = item.value }  // a repeated key: the last one counts

        let path = key.hasPrefix("/") ? String(key.dropFirst()) : key
        if path.contains("+*") {
            throw failure("path \(goQuote(path)): invalid use of wildcards ('+*' is forbidden)")
        }
        var names = try strings(fields["capabilities"], "capabilities", prefix)
        if let node = fields["policy"] {
            let old = try string(node, "policy", prefix: prefix)
            guard let mapped = legacy[old] else { throw failure(prefix + "invalid policy \(goQuote(old))") }
            names = old == "deny" ? mapped : names + mapped
        }
        var rule = ACLPathRule(pattern: path, capabilities: [])
        for name in names {
            guard let capability = ACLCapability(rawValue: name) else {
                throw failure(prefix + "invalid capability \(goQuote(name))")
            }
            // Vault stops at `deny`: the rest of the block, valid or not, is ignored.
            if capability == .deny { return templated ? nil : ACLPathRule(pattern: path, capabilities: [.deny]) }
            rule.capabilities.insert(capability)
        }
        for (field, isAllowed) in [("allowed_parameters", true), ("denied_parameters", false)] {
            guard let node = fields[field] else { continue }
            let map = try parameters(node, field, prefix)
            if isAllowed { rule.allowedParameters = map } else { rule.deniedParameters = map }
        }
        let minTTL = try duration(fields["min_wrapping_ttl"], "min_wrapping_ttl")
        let maxTTL = try duration(fields["max_wrapping_ttl"], "max_wrapping_ttl")
        if minTTL != 0, maxTTL != 0, maxTTL < minTTL {
            throw failure("max_wrapping_ttl cannot be less than min_wrapping_ttl")
        }
        rule.minWrappingTTL = minTTL > 0 ? minTTL : nil
        rule.maxWrappingTTL = maxTTL > 0 ? maxTTL : nil
        rule.requiredParameters = try strings(fields["required_parameters"], "required_parameters", prefix)
        return templated ? nil : rule
    }

    /// Identity templating (`{{identity.…}}`) is only checked for balance, as Vault does at write time.
    static func checkTemplate(_ key: String) throws(ACLPolicyError) -> Bool {
        let parts = key.components(separatedBy: "{{")
        let balanced = !parts[0].contains("}}")
            && parts.dropFirst().allSatisfy { $0.components(separatedBy: "}}").count == 2 }
        guard balanced else { throw failure("failed to validate policy templating: unbalanced templating characters") }
        return parts.count > 1
    }

    static func at(_ node: HCLNode, _ message: String) -> String {
        HCLError(line: node.line, column: node.column, message: message).description
    }

    /// HCL decodes numbers into string fields as their text.
    static func string(_ node: HCLNode, _ field: String, prefix: String) throws(ACLPolicyError) -> String {
        switch node.value {
        case .string(let s): return s
        case .number(let d): return number(d)
        default: throw failure(prefix + at(node, "\(field): expected a string"))
        }
    }

    static func strings(_ node: HCLNode?, _ field: String, _ prefix: String) throws(ACLPolicyError) -> [String] {
        guard let node else { return [] }
        guard case .list(let elements) = node.value else {
            throw failure(prefix + at(node, "\(field): expected a list of strings"))
        }
        var out: [String] = []
        for element in elements { out.append(try string(element, field, prefix: prefix)) }
        return out
    }

    /// Names are lower-cased; `"*"` (every parameter) only takes `[]`.
    static func parameters(_ node: HCLNode, _ field: String, _ prefix: String) throws(ACLPolicyError)
        -> [String: [VaultValue]]
    {
        guard case .object(let items) = node.value else { throw failure(prefix + at(node, "\(field): expected a map")) }
        var map: [String: [VaultValue]] = [:]
        for item in items {
            guard item.keys.count == 1, case .list(let values) = item.value.value else {
                throw failure(prefix + at(item.value, "\(field): \(goQuote(item.keys[0])) must be a list"))
            }
            if item.keys[0] == "*", !values.isEmpty {
                throw failure(prefix + "\(field): \"*\" may only be given an empty list")
            }
            map[item.keys[0].lowercased()] = values.map(policyValue)
        }
        return map
    }

    static func policyValue(_ node: HCLNode) -> VaultValue {
        switch node.value {
        case .string(let s): return .string(s)
        case .number(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .list(let nodes): return .list(nodes.map(policyValue))
        case .object(let items):
            return .object(Dictionary(items.map { ($0.keys.joined(separator: "."), policyValue($0.value)) }) { $1 })
        }
    }

    static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// go-secure-stdlib `ParseDurationSecond`: integer seconds, "Nd" days, else Go duration syntax.
    static func duration(_ node: HCLNode?, _ field: String) throws(ACLPolicyError) -> Int {
        let fail = { (why: String) in failure("error parsing \(field): \(why)") }
        switch node?.value ?? .null {
        case .null: return 0
        case .number(let d): return Int(max(min(d, 9e18), -9e18))
        case .string(let s):
            if s.isEmpty { return 0 }
            if let v = Int(s) { return v }
            if s.hasSuffix("d") {
                guard let days = Int(s.dropLast()) else {
                    throw fail("strconv.ParseInt: parsing \(goQuote(String(s.dropLast()))): invalid syntax")
                }
                return days.multipliedReportingOverflow(by: 86_400).partialValue
            }
            do { return try goDuration(s) } catch { throw fail(error.message) }
        default: throw fail("could not parse duration from input")
        }
    }

    /// Go's `time.ParseDuration`, truncated to whole seconds.
    static func goDuration(_ text: String) throws(ACLPolicyError) -> Int {
        let quoted = goQuote(text)
        let invalid = ACLPolicyError(message: "time: invalid duration \(quoted)")
        let units: [String: Double] = [
            "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
        ]
        var s = Substring(text)
        var sign = 1.0
        if let c = s.first, c == "-" || c == "+" { sign = c == "-" ? -1 : 1; s = s.dropFirst() }
        if s == "0" { return 0 }
        if s.isEmpty { throw invalid }
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard number.contains(where: \.isNumber), number.filter({ $0 == "." }).count <= 1,
                let v = Double("0" + number), v < 9.2e18
            else { throw invalid }
            s = s.dropFirst(number.count)
            let unit = s.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard !unit.isEmpty else { throw ACLPolicyError(message: "time: missing unit in duration \(quoted)") }
            guard let scale = units[String(unit)] else {
                throw ACLPolicyError(message: "time: unknown unit \(goQuote(String(unit))) in duration \(quoted)")
            }
            s = s.dropFirst(unit.count)
            total += v * scale
        }
        guard total * 1e9 < 9.3e18 else { throw invalid }
        return Int(sign * total)
    }
}
