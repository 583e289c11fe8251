import Foundation
import KMIP
import KMIPCrypto
import KMIPStore
import NIOConcurrencyHelpers

/// OpenSSL keys of stored Public and Private Key objects, parsed once: decoding a PKCS#1 or
/// PKCS#8 key with OpenSSL 3 costs about twice an RSA-2048 signature, so Sign, Signature Verify
/// and RSA Encrypt/Decrypt would otherwise spend most of their time re-reading the key.
///
/// An entry is found by scope and Unique Identifier and served only while the object's key
/// material is byte for byte the one it was parsed from, so a re-keyed or replaced key is never
/// served stale; Destroy drops the entry at once, so no key outlives its object's value in
/// memory. Only byte-string material (the DER forms Create Key Pair and Register store) is kept.
/// Bounded by ``capacity``; evicts at random.
final class StoredKeyCache: @unchecked Sendable {
    static let capacity = 1_024

    private struct Entry {
        let material: [UInt8]
        let key: AsymmetricKey
    }
    private let lock = NIOLock()
    private var entries: [String: Entry] = [:]
    /// Counts `forget` calls: a key parsed while one happened is not kept (it may be a destroyed
    /// object's, read just before the Destroy).
    private var forgotten = 0

    /// The key parsed from `material` by `load`, from the cache when the object's material is unchanged.
    func key(scopeID: String, uniqueIdentifier: String, material: KeyMaterial,
             load: () throws -> AsymmetricKey) throws -> AsymmetricKey {
        guard case .byteString(let bytes) = material else { return try load() }
        let name = scopeID + "/" + uniqueIdentifier
        let (hit, generation) = lock.withLock { (entries[name], forgotten) }
        if let hit, hit.material == bytes.bytes { return hit.key }
        let key = try load()
        lock.withLock {
            guard forgotten == generation else { return }
            if entries.count >= Self.capacity, let victim = entries.keys.randomElement() { entries[victim] = nil }
            entries[name] = Entry(material: bytes.bytes, key: key)
        }
        return key
    }

    /// Drops the object's key (Destroy).
    func forget(scopeID: String, uniqueIdentifier: String) {
        lock.withLock {
            forgotten += 1
            entries[scopeID + "/" + uniqueIdentifier] = nil
        }
    }

    var count: Int { lock.withLock { entries.count } }
}
