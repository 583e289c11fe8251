import KMIP

/// Compares the response a server sent with the response an OASIS test case expects.
///
/// # Comparison rules
///
/// The comparison walks both trees and reports the **first** difference, with a path such as
/// `BatchItem[1].ResponsePayload.Attribute[3].AttributeValue` (indexes are 1-based and count
/// siblings of the same tag; they are written when the tag repeats, and always for `BatchItem`).
///
/// 1. **Strict by default.** Every element the test expects must come back with the same tag, the same
///    item type and the same value, in the same order; an element the test does not expect is a
///    difference too. This covers the header's Protocol Version, Batch Count and Client Correlation
///    Value, and each batch item's Operation and Unique Batch Item ID.
/// 2. **Ignored everywhere:** Result Message (free text) and Server Correlation Value (server-chosen),
///    on both sides.
/// 3. **Result Status and Result Reason** are compared exactly. When the test expects a failure, only
///    the Operation, Unique Batch Item ID, Result Status and Result Reason are compared (the same
///    Result Reason must come back); a payload is not compared.
/// 4. **Placeholders** in the expected response (see `Bindings`): `$NOW±N` matches a date within
///    `timeTolerance` seconds of the step's clock plus N; `$UNIQUE_IDENTIFIER_n` and every other
///    placeholder binds on first sight (with the item type checked) and must repeat the same value
///    afterwards; a new `$UNIQUE_IDENTIFIER_n` may not take an identifier another placeholder holds.
/// 5. **Dates written literally** (the fixed 2012/2013 time stamps of the extracted v1.0–1.2 files)
///    are the reference server's clock: compared by item type only — unless the client itself sent
///    that date earlier in the case, then it must come back exactly (not in the response header's
///    Time Stamp, which is always the server's clock: TC_95_10 sends a date equal to one).
/// 6. **Random byte strings**: a Byte String inside Key Material, Digest Value, IV/Counter/Nonce,
///    Data, MAC Data, Signature Data, Authenticated Encryption Tag, Nonce Value or Asynchronous
///    Correlation Value comes from the server's RNG (or a digest of a random key): it must have the
///    expected *length*; its bytes are compared only when the client sent exactly those bytes earlier
///    in the case (a registered key must come back verbatim). When a later request sends such
///    reference bytes back (a ciphertext to decrypt), the replayer sends this server's bytes instead.
/// 7. **Unordered lists:** KMIP 1.x fixes no order for the Attributes of Get Attributes (and of
///    Template-Attribute echoes), the Attribute Names of Get Attribute List or the Unique Identifiers
///    of Locate, and servers differ. Siblings tagged `Attribute`, `AttributeName` or
///    `UniqueIdentifier` are therefore compared as **multisets** (each expected element must match a
///    distinct actual one by the rules above, and none may be left over); all other siblings keep
///    their order.
/// 8. **Optional elements:** Located Items (1.3+) MAY be returned even when the request has no
///    Offset Items / Maximum Items; when the test omits it an actual one is accepted, when the test
///    has it, it must match.
/// 9. **Discover Versions without a client list** describes the server: the versions the test
///    expects must appear in the actual list in the same order (the server may also speak newer ones,
///    e.g. 1.4 where a 1.3-era reference server listed 1.3 first). With a client list, the answer is
///    determined by the request and compared strictly.
/// 10. **Attributes that describe the server's policy or hardware**, not the object: the values of
///    Random Number Generator (the server's RNG) and Lease Time (the server's lease policy) are
///    compared by item type only (a structure for the former, an Interval for the latter); the
///    attribute must still be present exactly where the test expects it. So is the Lease Time of an
///    Obtain Lease response (§4.10: the lease the server's policy grants).
/// 12. **Server-set attributes the reference server did not set**: an actual `Attribute` or
///    `AttributeName` of Random Number Generator or Original Creation Date is accepted where the test
///    omits it (KMIP 1.3 and 1.2 define them, but some reference responses come from servers that did
///    not record them), and
///    so is the Digest's Key Format Type in a 1.0 response (PyKMIP's 1.0 decoder requires it, and
///    the KMIP library writes it in every version; rule 8 covers it).
/// 13. **A Certificate's attribute list** (one that names Certificate Type): the public key's
///    Cryptographic Algorithm and Length, which KMIP applies to Certificates, are accepted where
///    the test omits them (the 1.0–1.2 reference servers set neither or only the length); names the
///    1.4 reference server invented (Certificate Issuer/Subject C, CN, O, OU — not KMIP attributes)
///    are not required.
/// 11. **Query** describes the server under test, not the reference server: a successful Query payload
///    is checked for shape only — every element must be one that a Query Function of the request asks
///    for (Operation for Query Operations, Object Type for Query Objects, Vendor Identification and
///    Server Information for Query Server Information, …); the values are not compared.
public struct ResponseComparator: Sendable {
    /// How far a `$NOW±N` date may be from the step's clock.
    public var timeTolerance: Int64 = 10
    public var ignoredTags: Set<Tag> = [.resultMessage, .serverCorrelationValue]
    public var randomByteStringTags: Set<Tag> = [
        .keyMaterial, .digestValue, .ivCounterNonce, .data, .macData, .signatureData,
        .authenticatedEncryptionTag, .nonceValue, .asynchronousCorrelationValue,
    ]
    public var unorderedTags: Set<Tag> = [.attribute, .attributeName, .uniqueIdentifier]
    /// Attributes whose value is compared by item type only (rule 10).
    public var serverDescribedAttributes: Set<String> = ["Random Number Generator", "Lease Time"]
    /// Accepted in the response when the test omits them (rule 8).
    public var optionalTags: Set<Tag> = [.locatedItems, .keyFormatType]
    /// Attributes accepted in the response when the test omits them (rule 12).
    public var optionalAttributes: Set<String> = ["Random Number Generator", "Original Creation Date"]
    /// Accepted in a Certificate's attribute list when the test omits them (rule 13).
    public var optionalCertificateAttributes: Set<String> = ["Cryptographic Algorithm", "Cryptographic Length"]
    /// Not required in a Certificate's attribute list: not KMIP attributes (rule 13).
    public var referenceServerCertificateAttributes: Set<String> = Set(["Issuer", "Subject"].flatMap { part in
        ["C", "CN", "O", "OU"].map { "Certificate \(part) \($0)" }
    })

    public init() {}

    public struct Difference: Sendable, CustomStringConvertible {
        /// Where, e.g. `BatchItem[1].ResponsePayload.Attribute[3].AttributeValue`.
        public var path: String
        /// What: `expected PreActive, got Active`.
        public var message: String
        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    struct Context {
        var path: String
        var random = false
        var attributeName: String?
        func appending(_ segment: String) -> Context {
            var c = self
            c.path = path.isEmpty ? segment : path + "." + segment
            return c
        }
    }

    /// Compares a whole Response Message. `request` is the request as sent (for Query's shape rule).
    public func compare(expected: TTLVTemplate, actual: TTLV, request: TTLV, bindings: inout Bindings) -> Difference? {
        guard expected.tag == .responseMessage, actual.tag == .responseMessage else {
            return Difference(path: "", message: "expected a \(expected.tag.xmlName), got a \(actual.tag.xmlName)")
        }
        let root = Context(path: "")
        let eHeader = expected.children.filter { $0.tag != .batchItem }
        let aHeader = actual.children.filter { $0.tag != .batchItem }
        if let d = compareChildren(eHeader, aHeader, root, &bindings) { return d }

        let eItems = expected.children.filter { $0.tag == .batchItem }
        let aItems = actual.children.filter { $0.tag == .batchItem }
        let rItems = request.children.filter { $0.tag == .batchItem }
        guard eItems.count == aItems.count else {
            return Difference(path: "", message: "expected \(eItems.count) batch items, got \(aItems.count)")
        }
        for (i, (e, a)) in zip(eItems, aItems).enumerated() {
            let ctx = root.appending("BatchItem[\(i + 1)]")
            if let d = compareBatchItem(e, a, request: i < rItems.count ? rItems[i] : nil, ctx, &bindings) { return d }
        }
        return nil
    }

    func compareBatchItem(_ e: TTLVTemplate, _ a: TTLV, request: TTLV?, _ ctx: Context, _ b: inout Bindings) -> Difference? {
        var eKids = e.children
        var aKids = a.children
        let expectsSuccess: Bool
        if case .value(let status)? = e.child(.resultStatus)?.content, LeafText.text(TTLV(.resultStatus, status)) != "Success" {
            expectsSuccess = false
        } else {
            expectsSuccess = true
        }
        let operation = e.child(.operation).flatMap { t -> String? in
            if case .value(let v) = t.content { return LeafText.text(TTLV(.operation, v)) }
            return nil
        }
        if !expectsSuccess {
            // Rule 3: a failure compares Operation, Unique Batch Item ID, Result Status and Reason.
            let kept: Set<Tag> = [.operation, .uniqueBatchItemID, .resultStatus, .resultReason]
            eKids = eKids.filter { kept.contains($0.tag) }
            aKids = aKids.filter { kept.contains($0.tag) }
            return compareChildren(eKids, aKids, ctx, &b)
        }
        if operation == "Query", let aPayload = a[.responsePayload], e.child(.responsePayload) != nil {
            // Rule 11: shape only.
            eKids.removeAll { $0.tag == .responsePayload }
            aKids.removeAll { $0.tag == .responsePayload }
            if let d = compareChildren(eKids, aKids, ctx, &b) { return d }
            return queryShape(aPayload, request: request, ctx.appending("ResponsePayload"))
        }
        if operation == "DiscoverVersions", let aPayload = a[.responsePayload], let ePayload = e.child(.responsePayload),
           !(request?[.requestPayload]?.children.contains { $0.tag == .protocolVersion } ?? false) {
            // Rule 9: the expected versions, in order, as a subsequence of the actual ones.
            eKids.removeAll { $0.tag == .responsePayload }
            aKids.removeAll { $0.tag == .responsePayload }
            if let d = compareChildren(eKids, aKids, ctx, &b) { return d }
            return versionsSubsequence(ePayload, aPayload, ctx.appending("ResponsePayload"), &b)
        }
        return compareChildren(eKids, aKids, ctx, &b)
    }

    func versionsSubsequence(_ e: TTLVTemplate, _ a: TTLV, _ ctx: Context, _ b: inout Bindings) -> Difference? {
        let actual = a.children
        if let extra = actual.first(where: { $0.tag != .protocolVersion }) {
            return Difference(path: ctx.path, message: "unexpected \(describe(extra, ctx)) in the response")
        }
        var j = 0
        for (k, t) in e.children.enumerated() {
            var found = false
            while j < actual.count {
                var trial = b
                defer { j += 1 }
                if compareItem(t, actual[j], ctx, &trial) == nil { b = trial; found = true; break }
            }
            if !found {
                let listed = actual.map { v in
                    v.children.map { c -> String in if case .integer(let i) = c.value { return String(i) } else { return "?" } }
                        .joined(separator: ".")
                }
                return Difference(path: ctx.appending("ProtocolVersion[\(k + 1)]").path,
                                  message: "expected version \(describe(t, ctx)) missing or out of order in [\(listed.joined(separator: ", "))]")
            }
        }
        return nil
    }

    /// Compares the children of two structures (rules 1, 2 and 7).
    func compareChildren(_ expected: [TTLVTemplate], _ actual: [TTLV], _ ctx: Context, _ b: inout Bindings) -> Difference? {
        let e = expected.filter { !ignoredTags.contains($0.tag) }
        let expectedTags = Set(e.map(\.tag))
        let a = actual.filter { !ignoredTags.contains($0.tag) && (!optionalTags.contains($0.tag) || expectedTags.contains($0.tag)) }
        let eOrdered = e.filter { !unorderedTags.contains($0.tag) }
        let aOrdered = a.filter { !unorderedTags.contains($0.tag) }

        func segment(_ tag: Tag, _ occurrence: Int) -> String {
            let repeats = e.filter { $0.tag == tag }.count > 1 || a.filter { $0.tag == tag }.count > 1 || tag == .batchItem
            return repeats ? "\(tag.xmlName)[\(occurrence)]" : tag.xmlName
        }

        var seen: [Tag: Int] = [:]
        for i in 0..<max(eOrdered.count, aOrdered.count) {
            guard i < eOrdered.count else {
                let x = aOrdered[i]
                seen[x.tag, default: 0] += 1
                return Difference(path: ctx.appending(segment(x.tag, seen[x.tag]!)).path,
                                  message: "unexpected \(describe(x, ctx)) in the response")
            }
            let t = eOrdered[i]
            seen[t.tag, default: 0] += 1
            let here = ctx.appending(segment(t.tag, seen[t.tag]!))
            guard i < aOrdered.count else {
                return Difference(path: here.path, message: "missing in the response (expected \(describe(t, ctx)))")
            }
            let x = aOrdered[i]
            guard x.tag == t.tag else {
                return Difference(path: here.path, message: "expected \(t.tag.xmlName) here, got \(describe(x, ctx))")
            }
            if let d = compareItem(t, x, here, &b) { return d }
        }

        // Rule 7: multisets, one per unordered tag, in the order the tags first appear.
        var tags: [Tag] = []
        for x in e.map(\.tag) + a.map(\.tag) where unorderedTags.contains(x) && !tags.contains(x) { tags.append(x) }
        for tag in tags {
            if let d = compareMultiset(e.filter { $0.tag == tag }, a.filter { $0.tag == tag }, ctx, segment: { segment(tag, $0) }, &b) {
                return d
            }
        }
        return nil
    }

    func compareMultiset(_ expected: [TTLVTemplate], _ actual: [TTLV], _ ctx: Context,
                         segment: (Int) -> String, _ b: inout Bindings) -> Difference? {
        let certificate = expected.contains { Self.listedName($0).map(ValueTextCollapse.collapse) == "Certificate Type" }
        let expected = certificate
            ? expected.filter { !referenceServerCertificateAttributes.contains(Self.listedName($0).map(ValueTextCollapse.collapse) ?? "") }
            : expected
        var used = Array(repeating: false, count: actual.count)
        for (k, t) in expected.enumerated() {
            let here = ctx.appending(segment(k + 1))
            var matched = false
            for (j, x) in actual.enumerated() where !used[j] && x.tag == t.tag {
                var trial = b
                if compareItem(t, x, here, &trial) == nil {
                    b = trial
                    used[j] = true
                    matched = true
                    break
                }
            }
            if matched { continue }
            // Explain with the nearest candidate: an unused Attribute of the same name, else nothing.
            let name = Self.attributeName(t)
            if let name, let j = actual.indices.first(where: { !used[$0] && Self.attributeName(actual[$0]).map(ValueTextCollapse.collapse) == ValueTextCollapse.collapse(name) }) {
                var trial = b
                if let d = compareItem(t, actual[j], here, &trial) { return d }
            }
            if name == nil, actual.indices.filter({ !used[$0] }).count == 1, let j = actual.indices.first(where: { !used[$0] }) {
                var trial = b
                if let d = compareItem(t, actual[j], here, &trial) { return d }
            }
            return Difference(path: here.path, message: "missing in the response (expected \(describe(t, ctx)))")
        }
        if let j = used.indices.first(where: { !used[$0] && !isOptionalAttribute(actual[$0], certificate: certificate) }) {
            return Difference(path: ctx.appending(segment(expected.count + 1)).path,
                              message: "unexpected \(describe(actual[j], ctx)) in the response")
        }
        return nil
    }

    /// Rules 12 and 13: an Attribute or Attribute Name the test may leave out.
    func isOptionalAttribute(_ x: TTLV, certificate: Bool) -> Bool {
        let name: String?
        switch x.tag {
        case .attribute: name = Self.attributeName(x)
        case .attributeName: if case .textString(let n) = x.value { name = n } else { name = nil }
        default: name = nil
        }
        guard let name = name.map(ValueTextCollapse.collapse) else { return false }
        return optionalAttributes.contains(name) || (certificate && optionalCertificateAttributes.contains(name))
    }

    /// The name an expected Attribute or Attribute Name carries.
    static func listedName(_ t: TTLVTemplate) -> String? {
        if t.tag == .attributeName, case .value(.textString(let name)) = t.content { return name }
        return t.tag == .attribute ? attributeName(t) : nil
    }

    func compareItem(_ t: TTLVTemplate, _ x: TTLV, _ ctx: Context, _ b: inout Bindings) -> Difference? {
        var ctx = ctx
        if randomByteStringTags.contains(t.tag) { ctx.random = true }
        if t.tag == .leaseTime, case .value = t.content {
            // Rule 10: Obtain Lease's Lease Time is the server's lease policy (§4.10); TC_95 expects
            // 16, 0 and 3600 s from three reference servers.
            return x.value.itemType == .interval ? nil
                : Difference(path: ctx.path, message: "expected an Interval for Lease Time, got a \(x.value.itemType.specName)")
        }
        if t.tag == .attributeValue, let name = ctx.attributeName,
           serverDescribedAttributes.contains(ValueTextCollapse.collapse(name)) {
            // Rule 10.
            let want = Self.itemType(t)
            return want == x.value.itemType ? nil
                : Difference(path: ctx.path, message: "expected a \(want.specName) for \(name), got a \(x.value.itemType.specName)")
        }
        switch t.content {
        case .structure(let kids):
            guard case .structure(let xKids) = x.value else {
                return Difference(path: ctx.path, message: "expected a Structure, got \(x.value.itemType.specName) \(LeafText.text(x))")
            }
            if t.tag == .attribute { ctx.attributeName = Self.attributeName(t) }
            return compareChildren(kids, xKids, ctx, &b)
        case .placeholder(let p, let type):
            if let why = b.match(p, type: type, actual: x.value, tolerance: timeTolerance) {
                return Difference(path: ctx.path, message: why)
            }
            return nil
        case .value(let v):
            guard v.itemType == x.value.itemType else {
                return Difference(path: ctx.path, message: "expected \(v.itemType.specName) \(text(v, t.tag, ctx)), got \(x.value.itemType.specName) \(text(x.value, x.tag, ctx))")
            }
            switch (v, x.value) {
            case (.byteString(let want), .byteString(let got)) where ctx.random && !b.sentByteStrings.contains(want.bytes):
                // Rule 6.
                guard want.count == got.count else {
                    return Difference(path: ctx.path, message: "expected \(want.count) random bytes, got \(got.count)")
                }
                if want != got { b.substitutions[want.bytes] = x.value }
                return nil
            case (.dateTime(let want), .dateTime) where !b.sentDates.contains(want.secondsSince1970) || t.tag == .timeStamp:
                return nil // Rule 5: the response header's Time Stamp is the server's clock, never an echo.
            default:
                return v == x.value ? nil
                    : Difference(path: ctx.path, message: "expected \(text(v, t.tag, ctx)), got \(text(x.value, x.tag, ctx))")
            }
        }
    }

    static func itemType(_ t: TTLVTemplate) -> ItemType {
        switch t.content {
        case .structure: .structure
        case .value(let v): v.itemType
        case .placeholder(_, let type): type
        }
    }

    // MARK: Query (rule 11)

    /// The payload elements each Query Function asks for.
    static let queryAnswers: [String: [String]] = [
        "QueryOperations": ["Operation"],
        "QueryObjects": ["ObjectType"],
        "QueryServerInformation": ["VendorIdentification", "ServerInformation"],
        "QueryApplicationNamespaces": ["ApplicationNamespace"],
        "QueryExtensionList": ["ExtensionInformation"],
        "QueryExtensionMap": ["ExtensionInformation"],
        "QueryAttestationTypes": ["AttestationType"],
        "QueryRNGs": ["RNGParameters"],
        "QueryValidations": ["ValidationInformation"],
        "QueryProfiles": ["ProfileInformation"],
        "QueryCapabilities": ["CapabilityInformation"],
        "QueryClientRegistrationMethods": ["ClientRegistrationMethod"],
    ]

    func queryShape(_ payload: TTLV, request: TTLV?, _ ctx: Context) -> Difference? {
        let functions = (request?[.requestPayload]?.children ?? []).filter { $0.tag == .queryFunction }.map { LeafText.text($0) }
        var allowed: Set<String> = []
        for f in functions { allowed.formUnion(Self.queryAnswers[f] ?? []) }
        var seen: [Tag: Int] = [:]
        for x in payload.children {
            seen[x.tag, default: 0] += 1
            if !allowed.contains(x.tag.xmlName) {
                return Difference(path: ctx.appending("\(x.tag.xmlName)[\(seen[x.tag]!)]").path,
                                  message: "\(x.tag.xmlName) answers none of the requested Query Functions (\(functions.joined(separator: ", ")))")
            }
        }
        return nil
    }

    // MARK: Text

    static func attributeName(_ t: TTLVTemplate) -> String? {
        if case .value(.textString(let n))? = t.child(.attributeName)?.content { return n }
        return nil
    }

    static func attributeName(_ x: TTLV) -> String? {
        if case .textString(let n)? = x[.attributeName]?.value { return n }
        return nil
    }

    func text(_ v: TTLV.Value, _ tag: Tag, _ ctx: Context) -> String {
        LeafText.text(TTLV(tag, v), attributeName: tag == .attributeValue ? ctx.attributeName : nil)
    }

    func describe(_ t: TTLVTemplate, _ ctx: Context) -> String {
        switch t.content {
        case .structure:
            if let n = Self.attributeName(t) { return "\(t.tag.xmlName) \"\(n)\"" }
            return t.tag.xmlName
        case .placeholder(let p, _): return "\(t.tag.xmlName) \(p)"
        case .value(let v): return "\(t.tag.xmlName) \(text(v, t.tag, ctx))"
        }
    }

    func describe(_ x: TTLV, _ ctx: Context) -> String {
        if case .structure = x.value {
            if let n = Self.attributeName(x) { return "\(x.tag.xmlName) \"\(n)\"" }
            return x.tag.xmlName
        }
        return "\(x.tag.xmlName) \(text(x.value, x.tag, ctx))"
    }
}

enum ValueTextCollapse {
    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }
}
