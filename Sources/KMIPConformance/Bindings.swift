import KMIP

/// The values the replay gave the placeholders of one test case.
///
/// - `$NOW`, `$NOW±N`: the replayer's clock when the step started, plus N seconds. Never stored:
///   each step reads the clock again.
/// - `$UNIQUE_IDENTIFIER_n` and every other placeholder (`$KEY_MATERIAL_0`,
///   `$ASYNCHRONOUS_CORRELATION_VALUE`…) is bound by the first expected response that holds it,
///   to the value the server returned there; later requests send that value and later responses must
///   return it again. `$UNIQUE_IDENTIFIER_n` is therefore the n-th distinct identifier the server
///   handed out: two different placeholders may not bind the same identifier, and one placeholder
///   cannot bind two.
/// - A request placeholder that no earlier response bound takes the last value the server returned
///   under the tag of the same name (`$MAC_DATA` → the last MAC Data), for files whose response
///   wrote that value literally; with no such value it is an error of the replay (a failure of the
///   step), never a guessed value.
public struct Bindings: Sendable {
    /// Placeholder text (without `$`) → value.
    public private(set) var values: [String: TTLV.Value] = [:]
    /// For unique identifiers: the text value → the placeholder that owns it.
    var identifierOwners: [String: String] = [:]
    /// Seconds since 1970 at the start of the current step.
    public var now: Int64 = 0
    /// Byte strings and dates the client sent in this case's requests so far: when an expected
    /// response holds one of these literally, it is compared exactly (the server must echo it).
    var sentByteStrings: Set<[UInt8]> = []
    var sentDates: Set<Int64> = []

    public init() {}

    /// The value of a request placeholder.
    public func requestValue(_ p: Placeholder, tag: Tag, type: ItemType) throws -> TTLV.Value {
        if p.name == "NOW" {
            return try Self.dateValue(now + (p.offset ?? 0), type: type, placeholder: p)
        }
        guard let v = values[p.text] ?? lastReceived[Self.squashed(p.name)] else {
            throw ConformanceError("the request uses \(p) in \(tag.xmlName) before any response bound it")
        }
        guard v.itemType == type else {
            throw ConformanceError("\(p) is bound to a \(v.itemType.specName) but \(tag.xmlName) needs a \(type.specName)")
        }
        return v
    }

    static func dateValue(_ seconds: Int64, type: ItemType, placeholder p: Placeholder) throws -> TTLV.Value {
        switch type {
        case .dateTime: return .dateTime(DateTime(secondsSince1970: seconds))
        case .dateTimeExtended: return .dateTimeExtended(DateTimeExtended(microsecondsSince1970: seconds * 1_000_000))
        case .longInteger: return .longInteger(seconds)
        default: throw ConformanceError("\(p) cannot be a \(type.specName)")
        }
    }

    /// Remembers the byte strings and dates of a request the client is about to send.
    /// Placeholders that name "the current one" rather than one value: a file may open several
    /// streams under one `$CORRELATION_VALUE`, each response binds it anew; likewise one
    /// `$ASYNCHRONOUS_CORRELATION_VALUE` names each request answered Operation Pending in turn
    /// (TC_32: three asynchronous Locates), and §6.7 gives every outstanding request its own value.
    static let rebound: Set<String> = ["CORRELATION_VALUE", "ASYNCHRONOUS_CORRELATION_VALUE"]

    /// Random bytes the reference server returned (written literally in an expected response) →
    /// what this server returned in their place; a later request that sends those literal bytes
    /// back (e.g. the ciphertext to decrypt) sends ours instead.
    var substitutions: [[UInt8]: TTLV.Value] = [:]

    /// `request` with every substituted byte string replaced (see `substitutions`).
    func substituted(_ request: TTLV) -> TTLV {
        switch request.value {
        case .structure(let c): return TTLV(request.tag, .structure(c.map(substituted)))
        case .byteString(let b): return substitutions[b.bytes].map { TTLV(request.tag, $0) } ?? request
        default: return request
        }
    }

    /// The last value the server returned under each tag (squashed XML name, e.g. `MACDATA`):
    /// what a request placeholder such as `$MAC_DATA` means when the file's own response wrote
    /// that value literally instead of binding the placeholder.
    var lastReceived: [String: TTLV.Value] = [:]

    static func squashed(_ name: String) -> String {
        let base = name.split(separator: "_").last.map { Int($0) != nil } == true
            ? name.split(separator: "_").dropLast().joined(separator: "_") : name
        return base.replacingOccurrences(of: "_", with: "").uppercased()
    }

    /// Remembers every leaf of an actual response by tag (see `lastReceived`).
    mutating func recordReceived(_ item: TTLV) {
        switch item.value {
        case .structure(let c): for x in c { recordReceived(x) }
        default: lastReceived[Self.squashed(item.tag.xmlName)] = item.value
        }
    }

    mutating func recordSent(_ item: TTLV) {
        switch item.value {
        case .structure(let c): for x in c { recordSent(x) }
        case .byteString(let b): sentByteStrings.insert(b.bytes)
        case .dateTime(let d): sentDates.insert(d.secondsSince1970)
        default: break
        }
    }

    /// Checks an actual value against an expected placeholder, binding it on first sight.
    /// Returns nil when it matches, else why not.
    mutating func match(_ p: Placeholder, type: ItemType, actual: TTLV.Value, tolerance: Int64) -> String? {
        guard actual.itemType == type else {
            return "expected a \(type.specName) for \(p), got a \(actual.itemType.specName)"
        }
        if p.name == "NOW" {
            let want = now + (p.offset ?? 0)
            let got: Int64
            switch actual {
            case .dateTime(let d): got = d.secondsSince1970
            case .dateTimeExtended(let d): got = d.microsecondsSince1970 / 1_000_000
            case .longInteger(let v): got = v
            default: return "\(p) is not a date"
            }
            if abs(got - want) > tolerance {
                return "expected \(p) = \(ISO8601Text.format(want)) (±\(tolerance) s), got \(ISO8601Text.format(got))"
            }
            return nil
        }
        if let bound = values[p.text], !Self.rebound.contains(p.name) {
            return bound == actual ? nil : "expected \(p) = \(LeafText.text(TTLV(.uniqueIdentifier, bound))), got \(LeafText.text(TTLV(.uniqueIdentifier, actual)))"
        }
        if p.name == "UNIQUE_IDENTIFIER", case .textString(let id) = actual {
            if let owner = identifierOwners[id] {
                return "the server returned \"\(id)\", already bound to $\(owner), where the test expects a new identifier \(p)"
            }
            identifierOwners[id] = p.text
        }
        values[p.text] = actual
        return nil
    }
}

enum ISO8601Text {
    static func format(_ seconds: Int64) -> String { DateTime(secondsSince1970: seconds).description }
}
