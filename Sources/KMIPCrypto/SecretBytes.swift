import COpenSSL

/// Key material and other secrets: the bytes live in one heap buffer that is wiped with
/// `OPENSSL_cleanse` when the last copy goes away. `description` never shows them, and equality is
/// constant-time in the contents.
public struct SecretBytes: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutableRawBufferPointer
        init(count: Int) {
            pointer = .allocate(byteCount: max(count, 1), alignment: 16)
            pointer.initializeMemory(as: UInt8.self, repeating: 0)
            self.count = count
        }
        let count: Int
        deinit {
            OPENSSL_cleanse(pointer.baseAddress, pointer.count)
            pointer.deallocate()
        }
    }

    let storage: Storage

    /// Copies `bytes`; the caller should wipe its own copy when it can.
    public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        storage = Storage(count: bytes.count)
        _ = UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<bytes.count]).copyBytes(from: bytes)
    }

    /// Fills `count` bytes through `body` (e.g. RAND_bytes, a cipher's output) without a copy.
    public init(count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        storage = Storage(count: count)
        try body(UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<count]))
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.count == 0 }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage.pointer[0..<storage.count]))
    }

    /// A plain copy of the bytes, for the wire (a KMIP Key Material). Prefer `withUnsafeBytes`.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public static func == (a: SecretBytes, b: SecretBytes) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 } }
    }

    /// Hashes the length only: secrets are not to be told apart by timing of hash tables.
    public func hash(into h: inout Hasher) { h.combine(count) }

    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["count": count]) }
}

/// Constant-time comparison of two byte sequences of public length (MACs, tags).
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
}
