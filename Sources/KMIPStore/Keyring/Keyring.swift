import Crypto
import Foundation

/// Encryption at rest: AES-256-GCM under a 32-byte root key that never lives in the database.
///
/// A sealed blob is `0x01 ‖ nonce (12) ‖ ciphertext ‖ tag (16)`; the AAD binds it to its place
/// (`scope id + "/" + unique identifier` for an object, a fixed label for CA keys), so a blob moved
/// to another object, a wrong root key or a flipped bit all fail to open.
public struct Keyring: Sendable {
    public static let rootKeyBytes = 32
    public static let environmentVariable = "STRONGROOM_ROOT_KEY"
    static let format: UInt8 = 1
    static let overhead = 1 + 12 + 16

    /// Kept as bytes (SymmetricKey is not Sendable); a SymmetricKey is made per use.
    private let rootKey: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: rootKey) }

    public init(rootKey: some Collection<UInt8>) throws {
        guard rootKey.count == Self.rootKeyBytes else {
            throw StoreError(.generalFailure, "the root key must be \(Self.rootKeyBytes) bytes, found \(rootKey.count)")
        }
        self.rootKey = Array(rootKey)
    }

    /// A keyring with a fresh random root key (tests, first dev start).
    public static func random() -> Keyring {
        try! Keyring(rootKey: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// The root key from a file of exactly 32 raw bytes. When the file is missing and
    /// `createIfMissing` (dev mode), a random key is written there with mode 0600.
    public static func load(keyFile path: String, createIfMissing: Bool = false) throws -> Keyring {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard createIfMissing else { throw StoreError(.generalFailure, "root key file \(path) does not exist") }
            let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            guard fm.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw StoreError(.generalFailure, "cannot write root key file \(path)")
            }
            try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            return try Keyring(rootKey: bytes)
        }
        guard let data = fm.contents(atPath: path) else { throw StoreError(.generalFailure, "cannot read root key file \(path)") }
        return try Keyring(rootKey: Array(data))
    }

    /// The root key from an environment variable holding it in base64.
    public static func fromEnvironment(_ name: String = environmentVariable,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Keyring {
        guard let text = environment[name] else { throw StoreError(.generalFailure, "\(name) is not set") }
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw StoreError(.generalFailure, "\(name) is not base64")
        }
        return try Keyring(rootKey: Array(data))
    }

    /// The AAD of a managed object's key material.
    public static func objectAAD(scopeID: String, uniqueIdentifier: String) -> [UInt8] {
        Array("\(scopeID)/\(uniqueIdentifier)".utf8)
    }
    /// The AAD of the mount's CA private keys (index = position in the chain).
    public static func caKeyAAD(index: Int) -> [UInt8] { Array("strongroom/ca-key/\(index)".utf8) }

    public func seal(_ plaintext: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        do {
            let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(), authenticating: aad)
            return [Self.format] + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw StoreError(.generalFailure, "encryption at rest failed: \(error)")
        }
    }

    public func open(_ sealed: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= Self.overhead, sealed[0] == Self.format else {
            throw StoreError(.generalFailure, "encrypted blob is malformed (\(sealed.count) bytes)")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed[1...])
            return Array(try AES.GCM.open(box, using: key, authenticating: aad))
        } catch {
            throw StoreError(.generalFailure, "encrypted blob failed authentication: wrong root key or tampered data")
        }
    }
}
