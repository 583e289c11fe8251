import KMIP

// Target `json`: text in the KMIP JSON encoding (`strongroom ttlv encode --from json`).
//
// - the JSON parser and the value → TTLV conversion (`KMIPJSON.decode`);
// - a decoded item must encode to TTLV that decodes back to it (when within the default limits),
//   and its JSON rendering must decode back to it;
// - the typed Request or Response Message decode of that TTLV, and its re-encoding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: inputBytes(data, size), as: UTF8.self)

    if let value = try? JSONValue.parse(text) {
        let serialized = value.serialized()
        let back = Result { try JSONValue.parse(serialized) }
        check((try? back.get()) == value, "json.value-roundtrip", "a parsed JSON value does not survive serialization: \(back)\n\(serialized)")
    }

    guard let item = try? KMIPJSON.decode(text) else { return 0 }
    let bytes = item.encoded()
    if let decoded = try? TTLV(decoding: bytes) {
        check(decoded == item, "json.ttlv-roundtrip", "the TTLV encoding \(roundTripProblem(item, .success(decoded)))")
    }
    let json = KMIPJSON.encode(item)
    let back = Result { try KMIPJSON.decode(json) }
    check((try? back.get()) == item, "json.json-roundtrip", "the JSON rendering \(roundTripProblem(item, back))\n\(json)")
    _ = KMIPXML.encode(item)

    switch item.tag {
    case .requestMessage:
        if let request = try? RequestMessage(ttlv: bytes) {
            let problem = reencodeProblem(request.encoded()) { try RequestMessage(ttlv: $0).encoded() }
            check(problem == nil, "json.request-reencode", "a decoded Request Message: \(problem ?? "")")
        }
    case .responseMessage:
        if let response = try? ResponseMessage(ttlv: bytes) {
            let problem = reencodeProblem(response.encoded()) { try ResponseMessage(ttlv: $0).encoded() }
            check(problem == nil, "json.response-reencode", "a decoded Response Message: \(problem ?? "")")
        }
    default: break
    }
    return 0
}
