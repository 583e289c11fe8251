#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Shared by every fuzz target (compiled into each one; see scripts/fuzz).
//
// A failed `check` is a finding: it aborts so libFuzzer saves the input as a crash. A check named
// in FUZZ_IGNORE (comma-separated names) does not abort: it prints its failure and the run goes on,
// so that a known, reported invariant violation does not hide crashes behind it in a long run. Each
// check's first 10 failures are printed, then each new kind of failure (see `kind`), 100 kinds at
// most; with FUZZ_IGNORED_DIR set, the input of each printed failure is written there too
// (as NAME-N, N counting that check's failures).

private let ignored: Set<String> = {
    guard let raw = getenv("FUZZ_IGNORE") else { return [] }
    return Set(String(cString: raw).split(separator: ",").map(String.init))
}()

nonisolated(unsafe) private var reported: Set<String> = []
nonisolated(unsafe) private var failures: [String: Int] = [:]
nonisolated(unsafe) private var currentInput: [UInt8] = []

/// A failure's kind: its check and the first 64 characters of its message, with runs of digits,
/// quoted text and element names masked and what follows " for " (the item it happened in) dropped.
private func kind(_ name: String, _ line: Substring) -> String {
    var out = name + ": "
    var quote: Character?
    var inDigits = false
    for c in line.prefix(200) {
        if let q = quote {
            if c == q { quote = nil }
            continue
        }
        if c == "\"" || c == "<" {
            quote = c == "<" ? ">" : "\""
            out.append("…")
        } else if c.isNumber {
            if !inDigits { out.append("#") }
        } else {
            out.append(c)
        }
        inDigits = c.isNumber
    }
    let marker = Array(" for ")
    let chars = Array(out)
    if chars.count >= marker.count,
       let i = (0...(chars.count - marker.count)).first(where: { Array(chars[$0..<($0 + marker.count)]) == marker }) {
        return String(chars[..<min(i, name.count + 66)])
    }
    return String(chars.prefix(name.count + 66))
}

private func saveInput(_ name: String, _ number: Int) {
    guard let dir = getenv("FUZZ_IGNORED_DIR"), let file = fopen(String(cString: dir) + "/\(name)-\(number)", "wb") else { return }
    _ = currentInput.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

/// Aborts (a libFuzzer crash) when `condition` is false, unless `name` is in FUZZ_IGNORE.
@inline(never)
func check(_ condition: @autoclosure () -> Bool, _ name: String, _ message: @autoclosure () -> String) {
    if condition() { return }
    let text = message()
    if ignored.contains(name) {
        let firstLine = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let n = failures[name, default: 0] + 1
        failures[name] = n
        // The first 10 failures of each check, then each new kind.
        if n <= 10 || (reported.count < 100 && !reported.contains(kind(name, firstLine))) {
            reported.insert(kind(name, firstLine))
            fputs("fuzz: ignored check \(name) failed (\(name)-\(n)): \(firstLine)\n", stderr)
            saveInput(name, n)
        }
        return
    }
    fputs("fuzz: check \(name) failed: \(text)\n", stderr)
    abort()
}

/// The fuzzer's input as an array (libFuzzer may pass a null pointer for an empty input).
func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { currentInput = []; return [] }
    currentInput = Array(UnsafeBufferPointer(start: data, count: size))
    return currentInput
}
