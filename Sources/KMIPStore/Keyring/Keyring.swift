import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// One SymmetricKey for the keyring's life: its storage is zeroed when freed, unlike an array.
    private let box: RootKey
    private var key: SymmetricKey { box.key }

    /// SymmetricKey is not Sendable; this box never changes after init, so sharing it is safe.
    private final class RootKey: @unchecked Sendable {
        let key: SymmetricKey
        init(_ key: SymmetricKey) { self.key = key }
    }

    public init(rootKey: some Collection<UInt8>) throws {
        guard rootKey.count == Self.rootKeyBytes else {
            throw StoreError(.generalFailure, "the root key must be \(Self.rootKeyBytes) bytes, found \(rootKey.count)")
        }
        self.box = RootKey(SymmetricKey(data: Array(rootKey)))
    }

    /// A keyring with a fresh random root key (tests, first dev start).
    public static func random() -> Keyring {
        try! Keyring(rootKey: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// The root key from a file of exactly 32 raw bytes. When the file is missing and
    /// `createIfMissing` (dev mode), a random key is written there with mode 0600.
    public static func load(keyFile path: String, createIfMissing: Bool = false) throws -> Keyring {
        if createIfMissing, let created = try createKeyFile(path) { return created }
        // Never follow a link, and refuse a key file others may read.
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError(.generalFailure, "cannot open root key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError(.generalFailure, "cannot stat root key file \(path)") }
        guard info.st_mode & 0o077 == 0 else {
            throw StoreError(.generalFailure, "root key file \(path) must not be readable by group or others (chmod 600)")
        }
        var bytes = [UInt8](repeating: 0, count: 33)
        let n = read(fd, &bytes, bytes.count)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        guard n == 32 else { throw StoreError(.generalFailure, "root key file \(path) must hold exactly 32 bytes") }
        return try Keyring(rootKey: Array(bytes[0..<32]))
    }

    /// Creates the key file atomically with a fresh key: written and synced under a temporary name
    /// (mode 0600 from the start, no links followed), then linked into place, so a reader never sees
    /// a partial file. nil when the file already exists (another process may have just made it).
    static func createKeyFile(_ path: String) throws -> Keyring? {
        let temporary = path + ".tmp-" + Identifiers.shortID()
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.generalFailure, "cannot create root key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { unlink(temporary) }
        var bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        defer { for i in bytes.indices { bytes[i] = 0 } }
        let written = write(fd, bytes, bytes.count) == bytes.count && fsync(fd) == 0
        close(fd)
        guard written else { throw StoreError(.generalFailure, "cannot write root key file \(path)") }
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return nil }
            throw StoreError(.generalFailure, "cannot create root key file \(path): \(String(cString: strerror(errno)))")
        }
        // The new name must survive a crash as surely as the data sealed under the key.
        let directory = Glibc.open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
                                   O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
        return try Keyring(rootKey: bytes)
    }

    /// The root key from an environment variable: 64 hex characters, as the docs say (32 bytes in
    /// base64, which earlier versions read, is still accepted: 44 characters, never 64 hex).
    public static func fromEnvironment(_ name: String = environmentVariable,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Keyring {
        guard let raw = environment[name] else { throw StoreError(.generalFailure, "\(name) is not set") }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, text.allSatisfy(\.isHexDigit), let bytes = hexBytes(text) { return try Keyring(rootKey: bytes) }
        if let data = Data(base64Encoded: text), data.count == 32 { return try Keyring(rootKey: Array(data)) }
        throw StoreError(.generalFailure, "\(name) must hold the 32-byte root key as 64 hex characters (openssl rand -hex 32)")
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while chars.count >= 2 {
            guard let byte = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
            chars = chars.dropFirst(2)
        }
        return chars.isEmpty ? out : nil
    }

    /// The AAD of a managed object's key material.
    public static func objectAAD(scopeID: String, uniqueIdentifier: String) -> [UInt8] {
        Array("\(scopeID)/\(uniqueIdentifier)".utf8)
    }
    /// The AAD of a mount's CA private keys (index = position in the chain): a sealed key moved
    /// to another mount or position does not open.
    public static func caKeyAAD(mountID: String, index: Int) -> [UInt8] { Array("strongroom/ca-key/\(mountID)/\(index)".utf8) }
    /// The AAD CA keys had before it named their mount (opened once, when a database is upgraded).
    public static func legacyCAKeyAAD(index: Int) -> [UInt8] { Array("strongroom/ca-key/\(index)".utf8) }

    /// The key that authenticates stored records (HMAC-SHA256), derived from the root key with
    /// HKDF under its own label, so it is never the key that encrypts.
    public var recordMACKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Array("strongroom/record-mac/v1".utf8), outputByteCount: 32)
    }

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
