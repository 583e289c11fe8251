import VaultPolicy
import VaultFramework

// Target `policy`: Vault ACL policy text (HCL or JSON) as `PUT sys/policy/:name` and
// `strongroom policy fmt` receive it.
//
// - `ACLPolicy.parse`, then `ACL(policies:)` with the policy alone and twice over (identical patterns
//   merged), `capabilities(path:)` and `authorize` on paths and request data derived from the rules;
// - the ACL must agree with itself: an operation `authorize` allows on a path is among that path's
//   `capabilities`, and merging the policy with itself changes no decision;
// - `PolicyFormatter.format` must accept any policy `parse` accepts, its output must parse to the
//   same rules, and formatting that output again must change nothing.

private let operations: [ACLCapability] = [.create, .read, .update, .patch, .delete, .list, .recover, .sudo]
private let fixedPaths = ["", "secret/data/x", "sys/policy/", "kmip/scope/a/role/b"]

/// A few fixed paths, and for the first rules: the pattern itself, with `+` segments filled in,
/// extended by a byte, and as a directory to list.
private func probePaths(_ rules: [ACLPathRule]) -> [String] {
    var paths = fixedPaths
    for rule in rules.prefix(4) {
        let p = rule.pattern
        let stem = p.hasSuffix("*") ? String(p.dropLast()) : p
        let filled = stem.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0 == "+" ? "seg" : String($0) }.joined(separator: "/")
        paths += [p, filled, filled + "x", filled + "/"]
    }
    return paths
}

private func requestData(_ rules: [ACLPathRule]) -> [String: VaultValue] {
    var data: [String: VaultValue] = [:]
    for rule in rules.prefix(4) {
        for (name, values) in rule.allowedParameters.sorted(by: { $0.key < $1.key }).prefix(3) {
            data[name] = values.first ?? "v"
        }
        for (name, values) in rule.deniedParameters.sorted(by: { $0.key < $1.key }).prefix(2) {
            data[name + "_d"] = values.last ?? .list(["a", "b"])
        }
        for name in rule.requiredParameters.prefix(2) { data[name] = "r" }
    }
    return data
}

/// How the rules of the formatted policy differ from the original's, for a one-line failure message.
private func ruleDifference(_ rules: [ACLPathRule], _ result: Result<ACLPolicy, ACLPolicyError>) -> String {
    guard case .success(let policy) = result else { return "does not parse for \(result)" }
    if policy.rules.count != rules.count { return "has another number of rules for \(rules.count) → \(policy.rules.count)" }
    for (a, b) in zip(rules, policy.rules) where a != b {
        return "parses to another rule for \(a) → \(b)"
    }
    return "parses to the same rules"
}

/// The first line where `result` differs from `text`, for a one-line failure message.
private func lineDifference(_ text: String, _ result: Result<String, ACLPolicyError>) -> String {
    guard case .success(let other) = result else { return "fails: \(result)" }
    // Split on the scalar: "\r\n" is one Character.
    let a = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    let b = other.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    for i in 0..<max(a.count, b.count) where i >= a.count || i >= b.count || a[i] != b[i] {
        let x = i < a.count ? String(reflecting: a[i]) : "(none)"
        let y = i < b.count ? String(reflecting: b[i]) : "(none)"
        return "changes line \(i + 1) for \(x) → \(y)"
    }
    return "changes nothing"
}

private func allowed(_ d: ACLDecision) -> Bool {
    if case .allowed = d { return true }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: inputBytes(data, size), as: UTF8.self)
    guard let policy = try? ACLPolicy.parse(name: "fuzz", text: text) else { return 0 }

    if let acl = try? ACL(policies: [policy]) {
        let doubled = try? ACL(policies: [policy, ACLPolicy(name: "again", rules: policy.rules)])
        check(doubled != nil, "policy.acl-merge", "ACL(policies:) refuses a policy merged with itself")
        // No data and no wrapping; data derived from the rules' parameters and a wrapping TTL.
        let variants: [([String: VaultValue], Int?)] = [([:], nil), (requestData(policy.rules), 300)]
        for path in probePaths(policy.rules) {
            let caps = acl.capabilities(path: path)
            check(!caps.isEmpty && caps == caps.sorted(), "policy.capabilities-sorted", "capabilities(\(path)) = \(caps)")
            if let doubled {
                check(doubled.capabilities(path: path) == caps, "policy.merge-capabilities",
                      "capabilities(\(path)) change when the policy is merged with itself: \(caps) vs \(doubled.capabilities(path: path))")
            }
            for op in operations {
                for (body, wrap) in variants {
                    let request = ACLRequest(operation: op, path: path, data: body, wrapTTL: wrap)
                    let decision = acl.authorize(request)
                    if allowed(decision), !path.hasSuffix("/") {
                        check(caps.contains(op.rawValue), "policy.authorize-capabilities",
                              "\(op) on \(path) is allowed but capabilities are \(caps)")
                    }
                    if let doubled {
                        let other = doubled.authorize(request)
                        check(allowed(other) == allowed(decision), "policy.merge-authorize",
                              "\(op) on \(path) with \(body): \(decision) alone, \(other) merged with itself")
                    }
                }
            }
        }
    }

    let formatted = Result { () throws(ACLPolicyError) -> String in try PolicyFormatter.format(text) }
    guard case .success(let output) = formatted else {
        check(false, "policy.fmt-accepts", "parse accepts the policy, fmt refuses it: \(formatted)")
        return 0
    }
    let reparsed = Result { () throws(ACLPolicyError) -> ACLPolicy in try ACLPolicy.parse(name: "fuzz", text: output) }
    check((try? reparsed.get())?.rules == policy.rules, "policy.fmt-reparse",
          "the formatted policy \(ruleDifference(policy.rules, reparsed))\n--- formatted:\n\(output)")
    if case .success = reparsed {
        let twice = Result { () throws(ACLPolicyError) -> String in try PolicyFormatter.format(output) }
        check((try? twice.get()) == output, "policy.fmt-idempotent",
              "formatting the formatted policy again \(lineDifference(output, twice))\n--- once:\n\(output)\n--- twice:\n\((try? twice.get()) ?? "")")
    }
    return 0
}
