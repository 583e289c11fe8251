/// Random identifiers of the mount: 32 base62 characters for Unique Identifiers, 5 for scope and
/// role ids (the `OU` and `CN` of client certificates). Drawn from the system CSPRNG.
public enum Identifiers {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `count` base62 characters, uniformly distributed (rejection sampling, no modulo bias).
    /// Random bytes are drawn eight at a time (one system call per 64 bits, not per character).
    public static func base62(count: Int) -> String {
        var g = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            var word = g.next()
            for _ in 0..<8 where out.count < count {
                let b = UInt8(truncatingIfNeeded: word)
                word >>= 8
                if b < 248 { out.append(alphabet[Int(b % 62)]) }   // 248 = 4 × 62
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A new Unique Identifier: 32 base62 characters.
    public static func uniqueIdentifier() -> String { base62(count: 32) }
    /// A new scope or role id: 5 base62 characters.
    public static func shortID() -> String { base62(count: 5) }

    /// A new mount id: 8 base62 characters.
    public static func mountID() -> String { base62(count: 8) }
    /// A mount's accessor: `prefix` + `_` + 8 lowercase hex characters (Vault's `kmip_1a2b3c4d`).
    public static func accessor(prefix: String) -> String {
        var g = SystemRandomNumberGenerator()
        let hex = String(UInt32.random(in: .min ... .max, using: &g), radix: 16)
        return prefix + "_" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    public static func isBase62(_ s: String, count: Int) -> Bool {
        s.utf8.count == count && s.utf8.allSatisfy { alphabet.contains($0) }
    }
}
