// The seeder of `scripts/fuzz seed` (not a fuzz target). Compiled together with Sources/KMIP (one
// module, so no `import`), it reads the OASIS XML test cases and writes a sample of their messages,
// placeholders bound to fixed values, as seed inputs:
//
//     seed TESTCASES_DIR TTLV_DIR XML_DIR JSON_DIR TTLV_COUNT TEXT_COUNT
//
// TTLV_DIR gets TTLV_COUNT binary messages, chosen round robin over the operations the messages
// carry (5/8 requests, 3/8 responses; each request/response, version, operation set and
// typed-decodability once, the smallest instance); XML_DIR and
// JSON_DIR get TEXT_COUNT of those, the smaller ones first, re-encoded in the KMIP XML and JSON
// encodings. Every file is under 64 KiB. Output is deterministic.

import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 7, let ttlvCount = Int(arguments[5]), let textCount = Int(arguments[6]) else {
    FileHandle.standardError.write(Data("usage: seed TESTCASES_DIR TTLV_DIR XML_DIR JSON_DIR TTLV_COUNT TEXT_COUNT\n".utf8))
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1])
let outputs = (ttlv: arguments[2], xml: arguments[3], json: arguments[4])
let maxBytes = 64 << 10

/// Fixed stand-ins for the test cases' `$PLACEHOLDER`s, one per item type.
func bind(_ p: Placeholder, _ tag: Tag, _ type: ItemType) -> TTLV.Value {
    let n = Int64(p.index ?? 0)
    switch type {
    case .structure: return .structure([])
    case .integer: return .integer(Int32(n + 1))
    case .longInteger: return .longInteger(n + 1)
    case .bigInteger: return .bigInteger(BigInteger(encoded: [0, 0, 0, 0, 0, 0, 0, UInt8(truncatingIfNeeded: n + 1)]))
    case .enumeration: return .enumeration(1)
    case .boolean: return .boolean(true)
    case .textString: return .textString(p.name == "UNIQUE_IDENTIFIER" ? "00000000-0000-4000-8000-\(String(repeating: "0", count: 11))\(n)" : p.text.lowercased())
    case .byteString: return .byteString(ByteString((0..<16).map { UInt8(truncatingIfNeeded: Int64($0) &+ n) }))
    case .dateTime: return .dateTime(DateTime(secondsSince1970: 1_700_000_000 + (p.offset ?? 0)))
    case .interval: return .interval(Interval(seconds: 3600))
    case .dateTimeExtended: return .dateTimeExtended(DateTimeExtended(microsecondsSince1970: 1_700_000_000_000_000))
    }
}

struct Sample {
    var item: TTLV
    var bytes: [UInt8]
    var kind: String        // req / resp
    var version: String     // 1.4
    var operations: String  // Create+Get
    var typed: Bool         // decodes as a RequestMessage / ResponseMessage
    var key: String { "\(kind) \(version) \(operations) \(typed)" }
}

func operationNames(_ message: TTLV) -> String {
    let names = message.children.filter { $0.tag == .batchItem }.compactMap { item -> String? in
        guard let op = item[.operation] else { return nil }
        return KMIPXML.element(op)[attribute: "value"]
    }
    return names.isEmpty ? "none" : names.joined(separator: "+")
}

func version(_ message: TTLV) -> String {
    guard let header = message[.requestHeader] ?? message[.responseHeader], let pv = header[.protocolVersion],
          case .integer(let major)? = pv[.protocolVersionMajor]?.value,
          case .integer(let minor)? = pv[.protocolVersionMinor]?.value else { return "x" }
    return "\(major).\(minor)"
}

var files: [URL] = []
if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
    for case let url as URL in walker where url.pathExtension == "xml" { files.append(url) }
}
files.sort { $0.path < $1.path }

var best: [String: Sample] = [:]
var read = 0, messages = 0
for url in files {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
    guard let templates = (try? KMIPXML.testCaseMessages(text)) ?? (try? KMIPXML.testCaseMessages(text, collapseWhitespace: true))
    else { continue }
    read += 1
    for template in templates {
        let item = template.bind(bind)
        let bytes = item.encoded()
        guard bytes.count < maxBytes else { continue }
        messages += 1
        let isRequest = item.tag == .requestMessage
        let typed = isRequest ? (try? RequestMessage(ttlv: bytes)) != nil : (try? ResponseMessage(ttlv: bytes)) != nil
        let s = Sample(item: item, bytes: bytes, kind: isRequest ? "req" : "resp", version: version(item),
                       operations: operationNames(item), typed: typed)
        if let old = best[s.key], old.bytes.count <= bytes.count { continue }
        best[s.key] = s
    }
}

// Requests get 5/8 of the TTLV seeds, responses the rest. Within each, round robin over operation
// sets so that every operation is seeded before any gets a second seed; within a set:
// typed-decodable first, then by version and size.
func roundRobin(_ samples: [Sample], _ count: Int) -> [Sample] {
    var groups: [String: [Sample]] = [:]
    for s in samples { groups[s.operations, default: []].append(s) }
    for k in groups.keys {
        groups[k]!.sort { ($0.typed ? 0 : 1, $0.version, $0.bytes.count) < ($1.typed ? 0 : 1, $1.version, $1.bytes.count) }
    }
    var chosen: [Sample] = []
    let order = groups.keys.sorted()
    var round = 0
    while chosen.count < count {
        var added = false
        for k in order where round < groups[k]!.count && chosen.count < count {
            chosen.append(groups[k]![round])
            added = true
        }
        if !added { break }
        round += 1
    }
    return chosen
}
let requests = best.values.filter { $0.kind == "req" }, responses = best.values.filter { $0.kind == "resp" }
let requestCount = max(ttlvCount - responses.count, ttlvCount * 5 / 8)
let chosenRequests = roundRobin(requests, requestCount)
let chosen = chosenRequests + roundRobin(responses, ttlvCount - chosenRequests.count)

func safe(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "+" ? $0 : "_" }.prefix(48))
}

func write(_ data: Data, _ dir: String, _ name: String) {
    try! data.write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
}

var names: [String: Int] = [:]
var text: [(Sample, String)] = []
for s in chosen {
    let base = "\(s.kind)-\(s.version)-\(safe(s.operations))"
    let n = names[base, default: 0]
    names[base] = n + 1
    let name = n == 0 ? base : "\(base)-\(n)"
    write(Data(s.bytes), outputs.ttlv, name + ".ttlv")
    text.append((s, name))
}

// The text corpora: the smaller messages, so that mutations stay cheap; one per operation set (of
// requests and of responses) first.
var seenOps: Set<String> = []
let bySize = text.sorted { ($0.0.bytes.count, $0.1) < ($1.0.bytes.count, $1.1) }
let firsts = bySize.filter { seenOps.insert($0.0.kind + $0.0.operations).inserted }
let rest = bySize.filter { pair in !firsts.contains { $0.1 == pair.1 } }
var written = 0
for (s, name) in (firsts + rest).prefix(textCount) {
    let xml = Data(KMIPXML.encode(s.item).utf8), json = Data(KMIPJSON.encode(s.item).utf8)
    if xml.count < maxBytes { write(xml, outputs.xml, name + ".xml") }
    if json.count < maxBytes { write(json, outputs.json, name + ".json") }
    written += 1
}
print("seed: \(read) test-case files, \(messages) messages, \(best.count) distinct; wrote \(chosen.count) TTLV, \(written) XML and JSON seeds")
