import KMIP
import KMIPConformance

// Target `xml`: text in the KMIP XML encoding (`strongroom ttlv encode --from xml`, the OASIS test
// cases the conformance runner reads).
//
// - the XML reader and the element → TTLV conversion (`KMIPXML.decode`), and the test-case form with
//   placeholders and HTML whitespace folding (`KMIPXML.testCaseMessages`);
// - a decoded item must encode to TTLV that decodes back to it (when within the default limits),
//   and its XML rendering must decode back to it;
// - the typed Request or Response Message decode of that TTLV, as `ttlv encode` runs it, and its
//   re-encoding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: inputBytes(data, size), as: UTF8.self)

    _ = try? KMIPXML.testCaseMessages(text, collapseWhitespace: size % 2 == 1)

    guard let item = try? KMIPXML.decode(text) else { return 0 }
    let bytes = item.encoded()
    if let decoded = try? TTLV(decoding: bytes) {
        check(decoded == item, "xml.ttlv-roundtrip", "the TTLV encoding \(roundTripProblem(item, .success(decoded)))")
    }
    let xml = KMIPXML.encode(item)
    let back = Result { try KMIPXML.decode(xml) }
    check((try? back.get()) == item, "xml.xml-roundtrip", "the XML rendering \(roundTripProblem(item, back))\n\(xml)")
    _ = KMIPJSON.encode(item)

    switch item.tag {
    case .requestMessage:
        if let request = try? RequestMessage(ttlv: bytes) {
            let problem = reencodeProblem(request.encoded()) { try RequestMessage(ttlv: $0).encoded() }
            check(problem == nil, "xml.request-reencode", "a decoded Request Message: \(problem ?? "")")
        }
    case .responseMessage:
        if let response = try? ResponseMessage(ttlv: bytes) {
            let problem = reencodeProblem(response.encoded()) { try ResponseMessage(ttlv: $0).encoded() }
            check(problem == nil, "xml.response-reencode", "a decoded Response Message: \(problem ?? "")")
        }
    default: break
    }
    return 0
}
