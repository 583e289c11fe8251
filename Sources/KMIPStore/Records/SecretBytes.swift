/// Secret bytes held in memory (key material, CA private keys): redacted in descriptions and
/// compared in constant time. The store encrypts them before they reach the disk.
public struct StoredSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var description: String { "<\(bytes.count) secret bytes>" }
    public var debugDescription: String { description }

    public static func == (a: StoredSecret, b: StoredSecret) -> Bool {
        guard a.bytes.count == b.bytes.count else { return false }
        var diff: UInt8 = 0
        for i in a.bytes.indices { diff |= a.bytes[i] ^ b.bytes[i] }
        return diff == 0
    }
    public func hash(into h: inout Hasher) { h.combine(bytes.count) }
}
