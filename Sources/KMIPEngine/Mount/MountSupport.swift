import Foundation
import KMIP
import KMIPCrypto
import KMIPPKI
import KMIPStore
import NIOConcurrencyHelpers
import SwiftASN1

/// An async mutual exclusion that holds across suspension points (an actor would not): the mount
/// runs config writes through it so that two first writes cannot both generate a CA.
final class MountWriteLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = NIOLockedValueBox(State())

    func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLockedValue { s -> Bool in
                if !s.locked { s.locked = true; return true }
                s.waiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    func unlock() {
        let next = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty { s.locked = false; return nil }
            return s.waiters.removeFirst()   // ownership passes to the next waiter
        }
        next?.resume()
    }

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }
}

/// PEM text ↔ DER bytes through swift-asn1's `PEMDocument`, for the few places that need
/// certificate or key bytes without X509.
public enum MountPEM {
    /// The DER of every `-----BEGIN <label>-----` block of `pem`, in order; none when the text is
    /// not well-formed PEM.
    public static func derBlocks(_ pem: String, label: String = "CERTIFICATE") -> [[UInt8]] {
        do {
            return try PEMDocument.parseMultiple(pemString: pem).filter { $0.discriminator == label }.map(\.derBytes)
        } catch {
            return []
        }
    }

    /// A PEM block of `der` with 64-character lines.
    public static func encode(_ der: [UInt8], label: String = "CERTIFICATE") -> String {
        PEMDocument(type: label, derBytes: der).pemString + "\n"
    }
}

/// `format` of `credential/generate`, `credential/sign` and `credential/lookup`.
public enum CredentialFormat: String, Sendable, Hashable, CaseIterable {
    /// PEM certificate, PEM private key, PEM chain.
    case pem
    /// As `pem`, with `certificate` holding the private key (if any), the certificate and the chain in
    /// one string (Vault PKI's `pem_bundle` layout; inferred for the KMIP engine).
    case pemBundle = "pem_bundle"
    /// Base64 DER certificate, base64 DER private key (SEC1 or PKCS#1, as in `pem`), base64 DER chain.
    case der

    public init(parsing text: String?) throws {
        guard let text, !text.isEmpty else { self = .pem; return }
        guard let f = CredentialFormat(rawValue: text.lowercased()) else {
            throw MountError.invalid("format must be pem, pem_bundle or der, not \"\(text)\"")
        }
        self = f
    }
}

/// A credential rendered in a ``CredentialFormat``: the fields of Vault's response.
public struct FormattedCredential: Sendable, CustomStringConvertible {
    public var certificate: String
    /// Secret: returned to the caller once, never logged.
    public var privateKey: String?
    public var caChain: [String]
    public var serialNumber: String

    public init(certificatePEM: String, privateKeyPEM: String?, caChain: [String], serialNumber: String,
                format: CredentialFormat) {
        self.serialNumber = serialNumber
        switch format {
        case .pem:
            certificate = certificatePEM; privateKey = privateKeyPEM; self.caChain = caChain
        case .pemBundle:
            certificate = ([privateKeyPEM].compactMap { $0 } + [certificatePEM] + caChain)
                .map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }.joined(separator: "\n")
            privateKey = privateKeyPEM; self.caChain = caChain
        case .der:
            func b64(_ pem: String, _ label: String) -> String {
                MountPEM.derBlocks(pem, label: label).first.map { Data($0).base64EncodedString() } ?? ""
            }
            certificate = b64(certificatePEM, "CERTIFICATE")
            privateKey = privateKeyPEM.map { pem in
                ["EC PRIVATE KEY", "RSA PRIVATE KEY", "PRIVATE KEY"].lazy.map { b64(pem, $0) }.first { !$0.isEmpty } ?? ""
            }
            self.caChain = caChain.map { b64($0, "CERTIFICATE") }
        }
    }

    public init(_ credential: ClientCredential, format: CredentialFormat) {
        self.init(certificatePEM: credential.certificatePEM,
                  privateKeyPEM: credential.privateKeyPEM.map { (try? Self.vaultPrivateKeyPEM($0)) ?? $0 },
                  caChain: credential.caChain, serialNumber: credential.serialNumber, format: format)
    }

    /// A PKCS#8 private key as Vault hands it out: SEC1 `EC PRIVATE KEY` for EC keys, PKCS#1
    /// `RSA PRIVATE KEY` for RSA (what clients configured for Vault expect to read).
    static func vaultPrivateKeyPEM(_ pkcs8PEM: String) throws -> String {
        guard let der = MountPEM.derBlocks(pkcs8PEM, label: "PRIVATE KEY").first else { return pkcs8PEM }
        let key = try AsymmetricKey.importing(.byteString(ByteString(der)), format: .pkcs8, algorithm: nil, curve: nil, isPrivate: true)
        switch key.kind {
        case .ec: return MountPEM.encode(try key.ecPrivateKey().bytes, label: "EC PRIVATE KEY")
        case .rsa: return MountPEM.encode(try key.pkcs1PrivateKey().bytes, label: "RSA PRIVATE KEY")
        case .ed25519: return pkcs8PEM
        }
    }

    public var description: String {
        "FormattedCredential(serial: \(serialNumber), privateKey: \(privateKey == nil ? "none" : "<redacted>"))"
    }
}
