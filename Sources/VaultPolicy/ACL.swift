import Foundation
import VaultFramework

/// One request as the ACL sees it.
public struct ACLRequest: Sendable {
    /// create, read, update, patch, delete or list (recover is also checked like Vault does).
    public var operation: ACLCapability
    /// Without the leading `/`; a LIST path may end in `/`.
    public var path: String
    public var data: [String: VaultValue]
    /// The path is root-protected (Vault's `PathsSpecial.Root` or a handler's sudo check).
    public var sudoRequired: Bool
    /// The requested response-wrapping TTL in seconds (`X-Vault-Wrap-TTL`).
    public var wrapTTL: Int?

    public init(
        operation: ACLCapability, path: String, data: [String: VaultValue] = [:], sudoRequired: Bool = false,
        wrapTTL: Int? = nil
    ) {
        self.operation = operation
        self.path = path
        self.data = data
        self.sudoRequired = sudoRequired
        self.wrapTTL = wrapTTL
    }
}

public enum ACLDecision: Sendable, Equatable {
    /// `sudo`: the winning rule (or root) grants sudo on this path.
    case allowed(sudo: Bool)
    /// `reason` is for the server log; clients only ever see "permission denied".
    case denied(reason: String)
}

private let plus = Array("+".utf8)

/// A token's policies compiled as Vault's `NewACL` does: exact, prefix and `+` tables, identical
/// patterns merged; exactly one rule decides each request (`AllowOperation`).
public struct ACL: Sendable {
    public let isRoot: Bool
    private var rules: [ACLPathRule] = []
    private var exact: [[UInt8]: Int] = [:]
    private var prefixes: [[UInt8]: Int] = [:]
    private var segmentIndex: [[UInt8]: Int] = [:]
    private var segments: [SegmentRule] = []

    /// A `+` rule split into segments; with a trailing `*` its last segment matches as a prefix.
    private struct SegmentRule: Sendable {
        var parts: [[UInt8]]
        var isPrefix: Bool
        var candidate: Candidate

        init(_ pattern: [UInt8], rule: Int) {
            isPrefix = pattern.last == UInt8(ascii: "*")
            let stem = Array(isPrefix ? pattern.dropLast() : pattern[...])
            parts = stem.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init)
            candidate = Candidate(
                firstWildcard: pattern.firstIndex(of: UInt8(ascii: "+")) ?? 0,
                wildcards: parts.filter { $0 == plus }.count, isPrefix: isPrefix, stem: stem, rule: rule)
        }
    }

    /// A non-exact rule that matched, with what Vault ranks it by (§2.3).
    private struct Candidate: Sendable {
        /// Byte offset of the first `+`, or a prefix rule's length.
        var firstWildcard: Int
        /// Number of `+` segments.
        var wildcards: Int
        var isPrefix: Bool
        /// The pattern without its trailing `*`.
        var stem: [UInt8]
        var rule: Int

        /// Vault's `wildcardPathDescriptorComparePriority`: true if self loses to other.
        func losesTo(_ other: Candidate) -> Bool {
            if firstWildcard != other.firstWildcard { return firstWildcard < other.firstWildcard }
            if isPrefix != other.isPrefix { return isPrefix }
            if wildcards != other.wildcards { return wildcards > other.wildcards }
            if stem.count != other.stem.count { return stem.count < other.stem.count }
            return stem.lexicographicallyPrecedes(other.stem)
        }
    }

    public init(policies: [ACLPolicy]) throws(ACLPolicyError) {
        if policies.contains(where: { $0.name == "root" }) {
            guard policies.count == 1 else { throw ACLPolicyError(message: "other policies present along with root") }
            isRoot = true
            return
        }
        isRoot = false
        for rule in policies.flatMap(\.rules) { insert(rule) }
    }

    private mutating func insert(_ rule: ACLPathRule) {
        let key = Array(rule.pattern.utf8)
        if rule.hasSegmentWildcards {
            if let i = segmentIndex[key] { return rules[i].merge(rule) }
            segmentIndex[key] = rules.count
            segments.append(SegmentRule(key, rule: rules.count))
        } else if rule.isPrefix {
            let stripped = Array(key.dropLast())
            if let i = prefixes[stripped] { return rules[i].merge(rule) }
            prefixes[stripped] = rules.count
        } else {
            if let i = exact[key] { return rules[i].merge(rule) }
            exact[key] = rules.count
        }
        rules.append(rule)
    }

    /// For `sys/capabilities(-self)`: the winning rule's capabilities as for a LIST, sorted;
    /// `["root"]` for root, `["deny"]` for a deny rule or no rule.
    public func capabilities(path: String) -> [String] {
        if isRoot { return ["root"] }
        guard let i = winner(Self.bytes(path), list: true), !rules[i].capabilities.contains(.deny),
            !rules[i].capabilities.isEmpty
        else { return ["deny"] }
        return rules[i].capabilities.sorted().map(\.rawValue)
    }

    public func authorize(_ request: ACLRequest) -> ACLDecision {
        if isRoot { return .allowed(sudo: true) }
        let op = request.operation
        guard ![.sudo, .deny, .subscribe].contains(op) else {
            return .denied(reason: "\(op) is not an operation")
        }
        let path = Self.bytes(request.path)
        guard let i = winner(path, list: op == .list) else {
            return .denied(reason: "no policy rule matches \(goQuote(String(decoding: path, as: UTF8.self)))")
        }
        let rule = rules[i]
        let name = goQuote(rule.pattern)
        if rule.capabilities.contains(.deny) { return .denied(reason: "rule \(name) denies") }
        guard rule.capabilities.contains(op) else { return .denied(reason: "rule \(name) does not grant \(op)") }
        if let why = rule.wrappingViolation(request.wrapTTL) { return .denied(reason: "rule \(name): \(why)") }
        if [.read, .create, .update, .patch, .recover].contains(op), let why = rule.parameterViolation(request.data) {
            return .denied(reason: "rule \(name): \(why)")
        }
        let sudo = rule.capabilities.contains(.sudo)
        if request.sudoRequired && !sudo { return .denied(reason: "rule \(name) does not grant sudo") }
        return .allowed(sudo: sudo)
    }

    /// Vault strips every leading `/` and compares bytes.
    private static func bytes(_ path: String) -> [UInt8] { Array(path.utf8.drop { $0 == UInt8(ascii: "/") }) }

    /// The one rule that decides (§2.2). A LIST on `x/` pools the candidates of `x` and `x/` and
    /// lets a deny at least as specific as the best list grant win, as current Vault does.
    private func winner(_ path: [UInt8], list: Bool) -> Int? {
        if let i = exact[path] { return i }
        let slash = UInt8(ascii: "/")
        let trimmed = path.last == slash ? Array(path.dropLast()) : path
        if list, let i = exact[trimmed] { return i }
        guard list, path.last == slash else { return candidates(path).max { $0.losesTo($1) }?.rule }
        let all = candidates(trimmed) + candidates(path)
        let best = { (pool: [Candidate]) in pool.max { $0.losesTo($1) } }
        let deny = best(all.filter { rules[$0.rule].capabilities.contains(.deny) })
        let lister = best(all.filter { rules[$0.rule].capabilities.contains(.list) })
        if let deny, lister.map({ $0.losesTo(deny) }) ?? true { return deny.rule }
        return (lister ?? best(all))?.rule
    }

    /// The longest matching prefix rule and every matching `+` rule.
    private func candidates(_ path: [UInt8]) -> [Candidate] {
        var out: [Candidate] = []
        if let m = prefixes.filter({ path.starts(with: $0.key) }).max(by: { $0.key.count < $1.key.count }) {
            out.append(Candidate(firstWildcard: m.key.count, wildcards: 0, isPrefix: true, stem: m.key, rule: m.value))
        }
        guard !segments.isEmpty else { return out }
        let parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for s in segments where parts.count >= s.parts.count && (s.isPrefix || parts.count == s.parts.count) {
            let matches = s.parts.indices.allSatisfy { k in
                s.parts[k] == plus || parts[k].elementsEqual(s.parts[k])
                    || (s.isPrefix && k == s.parts.count - 1 && parts[k].starts(with: s.parts[k]))
            }
            if matches { out.append(s.candidate) }
        }
        return out
    }
}

extension ACLPathRule {
    /// Vault's merge of identical patterns: deny absorbs all, otherwise union capabilities, merge
    /// parameter maps (`[]` wins), union required names, keep the smaller wrapping TTLs.
    mutating func merge(_ other: ACLPathRule) {
        if capabilities.contains(.deny) { return }
        if other.capabilities.contains(.deny) {
            capabilities = [.deny]
            allowedParameters = [:]
            deniedParameters = [:]
            return
        }
        capabilities.formUnion(other.capabilities)
        func smaller(_ a: Int?, _ b: Int?) -> Int? {
            guard let b, b > 0 else { return a }
            return a.map { Swift.min($0, b) } ?? b
        }
        maxWrappingTTL = smaller(maxWrappingTTL, other.maxWrappingTTL)
        minWrappingTTL = smaller(minWrappingTTL, other.minWrappingTTL)
        func merged(_ mine: [String: [VaultValue]], _ theirs: [String: [VaultValue]]) -> [String: [VaultValue]] {
            mine.merging(theirs) { a, b in a.isEmpty || b.isEmpty ? [] : b + a }
        }
        allowedParameters = merged(allowedParameters, other.allowedParameters)
        deniedParameters = merged(deniedParameters, other.deniedParameters)
        requiredParameters += other.requiredParameters.filter { !requiredParameters.contains($0) }
    }

    /// Either TTL bound makes wrapping mandatory.
    func wrappingViolation(_ ttl: Int?) -> String? {
        let (lo, hi) = (minWrappingTTL ?? 0, maxWrappingTTL ?? 0)
        guard lo > 0 || hi > 0 else { return nil }
        guard let ttl else { return "response wrapping required" }
        if hi > 0, ttl > hi { return "wrapping TTL \(ttl)s above max_wrapping_ttl \(hi)s" }
        if lo > 0, ttl < lo { return "wrapping TTL \(ttl)s below min_wrapping_ttl \(lo)s" }
        if lo > 0, hi > 0, hi < lo { return "merged max_wrapping_ttl below min_wrapping_ttl" }
        return nil
    }

    /// §3.3 in order: required, empty data, denied, allowed.
    func parameterViolation(_ data: [String: VaultValue]) -> String? {
        for name in requiredParameters where data[name.lowercased()] == nil {
            return "required parameter \(goQuote(name)) missing"
        }
        if data.isEmpty { return nil }
        let entries = data.sorted { $0.key < $1.key }
        if !deniedParameters.isEmpty {
            if deniedParameters["*"] != nil { return "all parameters denied" }
            for (key, value) in entries {
                if let list = deniedParameters[key.lowercased()], Self.deniedMatch(Self.normalized(key, value), list) {
                    return "parameter \(goQuote(key)) denied"
                }
            }
        }
        let any = allowedParameters["*"] != nil
        if allowedParameters.isEmpty || (any && allowedParameters.count == 1) { return nil }
        for (key, value) in entries {
            guard let list = allowedParameters[key.lowercased()] else {
                if any { continue }
                return "parameter \(goQuote(key)) not allowed"
            }
            if !Self.allowedMatch(Self.normalized(key, value), list) {
                return "value of parameter \(goQuote(key)) not allowed"
            }
        }
        return nil
    }

    /// Policy names are compared as the token store keeps them: trimmed and lower-cased, so neither
    /// `Admin` nor ` admin` (any white space, a no-break space too) can slip past `admin`.
    static func normalized(_ key: String, _ value: VaultValue) -> VaultValue {
        guard ["policies", "token_policies"].contains(key.lowercased()) else { return value }
        func name(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
        switch value {
        case .string(let s): return .string(name(s))
        case .list(let items):
            return .list(items.map { if case .string(let s) = $0 { .string(name(s)) } else { $0 } })
        default: return value
        }
    }

    /// Items of a list or comma-separated string, matched one by one (Vault 1.21+).
    static func items(_ value: VaultValue) -> [VaultValue]? {
        switch value {
        case .list(let items): return items
        case .string(let s):
            return s.isEmpty ? [] : s.split(separator: ",", omittingEmptySubsequences: false).map {
                .string($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        default: return nil
        }
    }

    static func allowedMatch(_ value: VaultValue, _ list: [VaultValue]) -> Bool {
        if list.isEmpty || inList(value, list) { return true }
        return items(value)?.allSatisfy { inList($0, list) } ?? false
    }

    static func deniedMatch(_ value: VaultValue, _ list: [VaultValue]) -> Bool {
        if list.isEmpty || inList(value, list) { return true }
        return items(value)?.contains { inList($0, list) } ?? false
    }

    static func inList(_ value: VaultValue, _ list: [VaultValue]) -> Bool {
        list.contains { element in
            switch (element, value) {
            case (.string(let pattern), .string(let s)): return globMatch(pattern, s)
            case (.string, _): return false
            default: return element == value
            }
        }
    }

    /// go-secure-stdlib `GlobbedStringsMatch`: `*` only as first and/or last byte; a lone `*` is literal.
    static func globMatch(_ pattern: String, _ value: String) -> Bool {
        let p = Array(pattern.utf8), v = Array(value.utf8)
        let star = UInt8(ascii: "*")
        guard p.count >= 2 else { return p == v }
        switch (p.first == star, p.last == star) {
        case (true, true):
            let middle = p[1..<(p.count - 1)]
            return v.count >= middle.count && (0...(v.count - middle.count)).contains { v[$0...].starts(with: middle) }
        case (true, false): return v.count >= p.count - 1 && v.suffix(p.count - 1).elementsEqual(p.dropFirst())
        case (false, true): return v.starts(with: p.dropLast())
        case (false, false): return p == v
        }
    }
}
