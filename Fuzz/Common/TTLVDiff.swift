import KMIP

// For the KMIP targets: what differs between an item and what a round trip made of it.

/// Describes a round trip's outcome when it is not `original`: the error, or the first item that
/// differs (its type, then " for " its path and both values, so that failures group by type).
func roundTripProblem(_ original: TTLV, _ result: Result<TTLV, any Error>) -> String {
    switch result {
    case .failure(let error): return "fails: \(error)"
    case .success(let back): return firstDifference(original, back, path: "") ?? "no difference found"
    }
}

func firstDifference(_ a: TTLV, _ b: TTLV, path: String) -> String? {
    let here = path + "/" + a.tag.xmlName
    if a.tag != b.tag { return "decodes to another tag for \(here): \(b.tag.xmlName)" }
    switch (a.value, b.value) {
    case (.structure(let x), .structure(let y)):
        for (p, q) in zip(x, y) {
            if let d = firstDifference(p, q, path: here) { return d }
        }
        if x.count != y.count { return "decodes to a structure of another size for \(here): \(x.count) → \(y.count) items" }
        return nil
    default:
        if a.value == b.value { return nil }
        return "decodes to another \(a.value.itemType.specName) for \(here): \(a.value) → \(b.value)"
    }
}

/// For a typed message: `encoded` is its encoding; `decodeAndEncode` decodes those bytes and encodes
/// the result. Nil when that gives the same bytes back, else what went wrong.
func reencodeProblem(_ encoded: [UInt8], _ decodeAndEncode: ([UInt8]) throws -> [UInt8]) -> String? {
    let again: [UInt8]
    do { again = try decodeAndEncode(encoded) } catch { return "its encoding does not decode: \(error)" }
    if again == encoded { return nil }
    guard let a = try? TTLV(decoding: encoded), let b = try? TTLV(decoding: again) else {
        return "its encoding decodes to a message that encodes differently"
    }
    return "its encoding decodes to a message that encodes differently: " + (firstDifference(a, b, path: "") ?? "same tree")
}
