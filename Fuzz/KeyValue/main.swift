import Foundation
import StrongroomCLI
import VaultFramework

// Target `kv`: the CLI's `key=value` arguments (`strongroom write/read/delete PATH k=v …`).
//
// Input layout: ARGS [0x01 STDIN [0x01 FILE]]. ARGS is split on NUL bytes into arguments (a real
// argv has no NUL). STDIN is what `-` and `k=-` read; FILE is the content of the files `f` and
// `file` (`@f`, `k=@file`); any other path fails to open.
//
// - `KeyValueArguments.parse`, then `queryParameters` (read/delete) and every rendering;
// - the request body the CLI sends (`compactJSON`) and the `-format=json` output (`indentedJSON`)
//   must parse back to the same data.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    let sections = bytes.split(separator: 0x01, maxSplits: 2, omittingEmptySubsequences: false)
    let args = sections[0].split(separator: 0x00, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let stdin = Data(sections.count > 1 ? sections[1] : [])
    let file = Data(sections.count > 2 ? sections[2] : [])
    let sources = ArgumentSources(
        readStdin: { stdin },
        readFile: { path in
            guard path == "f" || path == "file" else { throw KeyValueError("open \(path): no such file or directory") }
            return file
        })

    guard let parsed = try? KeyValueArguments.parse(args, sources: sources) else { return 0 }
    _ = try? KeyValueArguments.queryParameters(parsed)
    let value = VaultValue.object(parsed)
    let compact = value.compactJSON
    let back = Result { try VaultValue.parse(compact) }
    check((try? back.get()) == value, "kv.compact-roundtrip", "the request body does not parse back: \(back)\n\(compact)")
    let indented = value.indentedJSON()
    check((try? VaultValue.parse(indented)) == value, "kv.indented-roundtrip", "the JSON output does not parse back:\n\(indented)")
    _ = value.goDescription
    return 0
}
