import Foundation
import VaultFramework

/// Vault's table output: `ryanuber/columnize` with Vault's settings (4-space glue, `n/a` for
/// empty cells) and a `---` underline under each header.
public enum TableFormatter {
    /// `columnize.Format`: each cell trimmed, every column but the last padded to its widest cell.
    public static func columnize(_ rows: [[String]], glue: String = "    ", empty: String = "n/a") -> String {
        let cells = rows.map { row in
            row.map { cell -> String in
                let trimmed = cell.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.isEmpty ? empty : trimmed
            }
        }
        var widths: [Int] = []
        for row in cells {
            for (i, cell) in row.enumerated() {
                let w = cell.unicodeScalars.count
                if i < widths.count { widths[i] = max(widths[i], w) } else { widths.append(w) }
            }
        }
        return cells.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.unicodeScalars.count) + glue
            }.joined()
        }.joined(separator: "\n")
    }

    /// Vault's `tableOutput`: headers, an underline of dashes as long as each header, then the rows.
    public static func table(headers: [String], rows: [[String]]) -> String {
        let underline = headers.map { String(repeating: "-", count: $0.count) }
        return columnize([headers, underline] + rows)
    }

    /// `vault read`/`write` table: lease rows, then data sorted by key; nil when there is nothing to show.
    public static func secret(_ secret: Secret) -> String? {
        var rows: [[String]] = []
        if secret.leaseDuration > 0 {
            if !secret.leaseID.isEmpty {
                rows.append(["lease_id", secret.leaseID])
                rows.append(["lease_duration", VaultDuration.human(seconds: Int64(secret.leaseDuration))])
                rows.append(["lease_renewable", secret.renewable ? "true" : "false"])
            } else {
                rows.append(["refresh_interval", VaultDuration.human(seconds: Int64(secret.leaseDuration))])
            }
        }
        let data = secret.data ?? [:]
        for key in data.keys.sorted() {
            rows.append([key, cell(key: key, value: data[key]!)])
        }
        guard !rows.isEmpty else { return nil }
        return table(headers: ["Key", "Value"], rows: rows)
    }

    /// One value as Vault shows it: durations for TTL-like keys, Go's `%v` otherwise.
    public static func cell(key: String, value: VaultValue) -> String {
        if Durations.looksLikeDuration(key), case .number(let n) = value, let seconds = Int64(n.literal) {
            return VaultDuration.human(seconds: seconds)
        }
        return value.goDescription
    }

    /// `vault list` table: `Keys`, `----`, the keys sorted.
    public static func list(_ keys: [String]) -> String {
        table(headers: ["Keys"], rows: keys.sorted().map { [$0] })
    }

    /// The warnings block Vault prints on stderr before a table.
    public static func warnings(_ warnings: [String]) -> String {
        var out = "WARNING! The following warnings were returned from Vault:\n\n"
        for w in warnings { out += wrap("* " + w, padding: 2) + "\n\n" }
        return out
    }

    /// Vault's `wrapAtLengthWithPadding` (78 columns).
    static func wrap(_ text: String, padding: Int, width: Int = 78) -> String {
        let limit = width - padding
        var lines: [String] = []
        var line = ""
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= limit {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        let pad = String(repeating: " ", count: padding)
        return lines.map { pad + $0 }.joined(separator: "\n")
    }
}

/// Vault prints TTL-like fields (`*_ttl`, `*_period`, …) as Go durations without zero units
/// (``VaultDuration/human(seconds:)``).
public enum Durations {
    public static func looksLikeDuration(_ k: String) -> Bool {
        k == "period" || k.hasSuffix("_period") || k == "ttl" || k.hasSuffix("_ttl")
            || k == "duration" || k.hasSuffix("_duration") || k == "lease_max" || k == "ttl_max"
    }
}
