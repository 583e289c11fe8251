import KMIP

// Target `ttlv`: bytes as they arrive on a KMIP connection.
//
// - the frame header check the transport runs on the first 8 bytes;
// - the generic TTLV tree (`TTLV(decoding:)`), which must re-encode to the same bytes, and its text,
//   XML and JSON renderings (what `strongroom ttlv decode` prints), which must decode back to it;
// - the typed Request Message decode the engine runs on every message, and Response Message (what
//   the client decodes): a decoded message must re-encode to bytes that decode again and encode the
//   same way;
// - MessagePeek (Sources/KMIPEngine/Batch/MessagePeek.swift, compiled into this target), which the
//   engine runs on every message that failed to decode, to answer in the client's version.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)

    if bytes.count >= 8 {
        _ = bytes.withUnsafeBytes { try? TTLVReader.frameLength(header: UnsafeRawBufferPointer(rebasing: $0[0..<8])) }
    }

    if let item = try? TTLV(decoding: bytes) {
        check(item.encoded() == bytes, "ttlv.reencode", "a valid TTLV item does not re-encode to its own bytes")
        _ = TextFormat.format(item)
        let xml = KMIPXML.encode(item)
        let back = Result { try KMIPXML.decode(xml) }
        check((try? back.get()) == item, "ttlv.xml-roundtrip", "the XML rendering \(roundTripProblem(item, back))\n\(xml)")
        let json = KMIPJSON.encode(item)
        let backJSON = Result { try KMIPJSON.decode(json) }
        check((try? backJSON.get()) == item, "ttlv.json-roundtrip", "the JSON rendering \(roundTripProblem(item, backJSON))\n\(json)")
    }

    if let request = try? RequestMessage(ttlv: bytes) {
        let problem = reencodeProblem(request.encoded()) { try RequestMessage(ttlv: $0).encoded() }
        check(problem == nil, "ttlv.request-reencode", "a decoded Request Message: \(problem ?? "")")
        _ = request.ttlv(tag: .requestMessage, context: EncodingContext(version: request.requestHeader.protocolVersion))
    } else {
        _ = MessagePeek.protocolVersion(bytes)
        _ = MessagePeek.firstOperation(bytes)
    }

    if let response = try? ResponseMessage(ttlv: bytes) {
        let problem = reencodeProblem(response.encoded()) { try ResponseMessage(ttlv: $0).encoded() }
        check(problem == nil, "ttlv.response-reencode", "a decoded Response Message: \(problem ?? "")")
    }
    return 0
}
