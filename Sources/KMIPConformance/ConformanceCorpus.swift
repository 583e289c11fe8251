import Foundation
import KMIP

/// The OASIS test-case corpus of `../shared/kmip-testcases`: its MANIFEST.csv rows and the test-case
/// group of each file.
public struct ConformanceCorpus: Sendable {
    public struct Entry: Sendable {
        /// Corpus-relative path, e.g. `1.0/profiles-v1.0/mandatory/SKLC-M-1-10.xml`.
        public var path: String
        /// The protocol version folder (`1.0` … `3.0`).
        public var versionFolder: String
        /// The publication folder (`profiles-v1.0`, `testcases-v1.2`…).
        public var publication: String
        /// True for files under `mandatory/`.
        public var isMandatory: Bool
        /// Extracted from OASIS HTML: values carry runs of spaces to collapse.
        public var extractedFromHTML: Bool
        /// The test-case group: `SKLC-M`, `TL-M`, `TC-Q-CAP`, `TC-NP`, `TC-3.x` for the numbered
        /// `TC_311_10_…` cases of Test Cases v1.2.
        public var group: String
    }

    public var root: URL
    public var entries: [Entry]

    public init(root: URL) throws {
        self.root = root
        let text = try String(contentsOf: root.appendingPathComponent("MANIFEST.csv"), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first else { throw ConformanceError("MANIFEST.csv is empty") }
        lines.removeFirst()
        let names = Self.csvColumns(header)
        guard let pathCol = names.firstIndex(of: "path"), let provCol = names.firstIndex(of: "provenance") else {
            throw ConformanceError("MANIFEST.csv has no path/provenance columns")
        }
        entries = lines.compactMap { line in
            let cols = Self.csvColumns(line)
            guard cols.count > max(pathCol, provCol) else { return nil }
            return Self.entry(path: cols[pathCol], provenance: cols[provCol])
        }
    }

    public func load(_ entry: Entry) throws -> ConformanceCase {
        let url = root.appendingPathComponent(entry.path)
        let xml = try String(contentsOf: url, encoding: .utf8)
        return try ConformanceCase(name: entry.path, xml: xml, collapseWhitespace: entry.extractedFromHTML)
    }

    static func entry(path: String, provenance: String) -> Entry {
        let parts = path.split(separator: "/").map(String.init)
        let file = parts.last ?? path
        let base = file.hasSuffix(".xml") ? String(file.dropLast(4)) : file
        return Entry(path: path, versionFolder: parts.first ?? "", publication: parts.count > 1 ? parts[1] : "",
                     isMandatory: parts.contains("mandatory"), extractedFromHTML: provenance.hasPrefix("extracted"),
                     group: group(ofBaseName: base))
    }

    /// `SKLC-M-1-10` → `SKLC-M`; `TL_M_1_10_tape_library_config` → `TL-M`; `TC-Q-CAP-1-13` →
    /// `TC-Q-CAP`; `TC_NP_1_10_Put` → `TC-NP`; `TC_311_10_Create_Destroy` → `TC-3.x`.
    public static func group(ofBaseName base: String) -> String {
        let tokens = base.split(whereSeparator: { $0 == "-" || $0 == "_" }).map(String.init)
        if tokens.count > 1, tokens[0] == "TC", tokens[1].allSatisfy(\.isNumber) {
            // Numbered cases of Test Cases v1.2, by chapter: 311 and 32 → TC-3.x, 41 → TC-4.x,
            // 101 and 121 → TC-10.x and TC-12.x (chapters 3–9 have one digit, 10–18 two).
            let n = tokens[1]
            let chapter = n.count >= 3 && n.hasPrefix("1") ? String(n.prefix(2)) : String(n.prefix(1))
            return "TC-" + chapter + ".x"
        }
        var group: [String] = []
        for t in tokens {
            if t.allSatisfy(\.isNumber) { break }
            group.append(t)
        }
        return group.joined(separator: "-")
    }

    /// The columns of one MANIFEST.csv line (double quotes group commas).
    public static func csvColumns(_ line: String) -> [String] {
        var cols: [String] = []
        var current = ""
        var quoted = false
        for ch in line {
            if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { cols.append(current); current = "" } else { current.append(ch) }
        }
        cols.append(current)
        return cols
    }
}
