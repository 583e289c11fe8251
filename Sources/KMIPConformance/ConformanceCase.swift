import KMIP

/// One OASIS XML test case, split into steps: a request template and the response it expects.
/// Placeholders (`$UNIQUE_IDENTIFIER_0`, `$NOW-3600`…) stay unbound until the replay.
public struct ConformanceCase: Sendable {
    /// One request/response exchange of the file.
    public struct Step: Sendable {
        /// 1-based position in the file.
        public var number: Int
        public var request: TTLVTemplate
        public var expectedResponse: TTLVTemplate
        /// The operations of the request's batch items, as their XML names (`Create`, `GetAttributes`).
        public var operations: [String]
    }

    /// The name used in reports, e.g. the corpus-relative path.
    public var name: String
    public var steps: [Step]

    public init(name: String, steps: [Step]) {
        self.name = name
        self.steps = steps
    }

    /// Parses an OASIS test-case file (`<KMIP>` or `<KmipTestCase>` root). `collapseWhitespace`
    /// folds the runs of spaces that HTML extraction left inside values.
    public init(name: String, xml: String, collapseWhitespace: Bool = false) throws {
        let messages = try KMIPXML.testCaseMessages(xml, collapseWhitespace: collapseWhitespace)
        var steps: [Step] = []
        var pending: TTLVTemplate?
        for m in messages {
            if m.tag == .requestMessage {
                if pending != nil { throw ConformanceError("\(name): request #\(steps.count + 1) has no response") }
                pending = m
            } else {
                guard let request = pending else {
                    throw ConformanceError("\(name): a response message follows no request (after step \(steps.count))")
                }
                steps.append(Step(number: steps.count + 1, request: request, expectedResponse: m,
                                  operations: Self.operations(of: request)))
                pending = nil
            }
        }
        if pending != nil { throw ConformanceError("\(name): the last request has no response") }
        if steps.isEmpty { throw ConformanceError("\(name): no request/response messages") }
        self.init(name: name, steps: steps)
    }

    /// Every distinct operation the requests use, in first-use order.
    public var requestOperations: [String] {
        var seen: [String] = []
        for s in steps { for o in s.operations where !seen.contains(o) { seen.append(o) } }
        return seen
    }


    static func operations(of request: TTLVTemplate) -> [String] {
        request.children.filter { $0.tag == .batchItem }.compactMap { item in
            guard let op = item.child(.operation), case .value(let v) = op.content else { return nil }
            return LeafText.text(TTLV(.operation, v))
        }
    }
}

public struct ConformanceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension TTLVTemplate {
    var children: [TTLVTemplate] {
        if case .structure(let c) = content { return c }
        return []
    }

    func child(_ tag: Tag) -> TTLVTemplate? { children.first { $0.tag == tag } }
}

/// The KMIP XML text of a leaf value (`SymmetricKey`, `Decrypt Encrypt`, hex for byte strings).
enum LeafText {
    static func text(_ item: TTLV, attributeName: String? = nil) -> String {
        if case .structure(let c) = item.value { return "<structure of \(c.count)>" }
        let v = KMIPXML.element(item, attributeName: attributeName)[attribute: "value"] ?? "?"
        switch item.value {
        case .textString: return "\"\(v)\""
        case .byteString(let b) where b.count > 40:
            return String(v.prefix(64)) + "…(\(b.count) bytes)"
        default: return v
        }
    }
}
