import KMIP

/// A scope: a partition of managed objects. `id` is the certificate `OU`, unique per mount.
public struct ScopeRecord: Sendable, Hashable {
    public var name: String
    /// 5 base62 characters.
    public var id: String
    public init(name: String, id: String = Identifiers.shortID()) { self.name = name; self.id = id }
}

/// A role of a scope: the operations its credentials may perform, and TLS overrides.
public struct RoleRecord: Sendable, Hashable {
    public var scopeID: String
    public var name: String
    /// 5 base62 characters; the certificate `CN`; unique per mount.
    public var id: String
    /// `operation_all`: every operation, present and future. When true, `operations` is ignored.
    public var allowsAllOperations: Bool
    /// The allowed operations (empty = `operation_none`).
    public var operations: Set<Operation>
    public var tlsClientKeyType: String?
    public var tlsClientKeyBits: Int?
    /// Seconds.
    public var tlsClientTTL: Int?

    public init(scopeID: String, name: String, id: String = Identifiers.shortID(), allowsAllOperations: Bool = false,
                operations: Set<Operation> = [], tlsClientKeyType: String? = nil, tlsClientKeyBits: Int? = nil,
                tlsClientTTL: Int? = nil) {
        self.scopeID = scopeID; self.name = name; self.id = id; self.allowsAllOperations = allowsAllOperations
        self.operations = operations; self.tlsClientKeyType = tlsClientKeyType
        self.tlsClientKeyBits = tlsClientKeyBits; self.tlsClientTTL = tlsClientTTL
    }

    public func allows(_ operation: Operation) -> Bool { allowsAllOperations || operations.contains(operation) }
}

/// An issued client certificate, listed under its role until revoked.
public struct CredentialRecord: Sendable, Hashable {
    /// The certificate serial number as a decimal string.
    public var serialNumber: String
    public var scopeID: String
    public var roleName: String
    public var certificateDER: [UInt8]
    public var expiresAt: DateTime
    public init(serialNumber: String, scopeID: String, roleName: String, certificateDER: [UInt8], expiresAt: DateTime) {
        self.serialNumber = serialNumber; self.scopeID = scopeID; self.roleName = roleName
        self.certificateDER = certificateDER; self.expiresAt = expiresAt
    }
}

/// The mount's `kmip/config`, as JSON text (its schema belongs to the API layer).
public struct ConfigRecord: Sendable, Hashable {
    public var json: String
    public init(json: String) { self.json = json }
}

/// The mount's CA: certificates (DER, root first) and private keys (encrypted at rest).
public struct CAMaterial: Sendable, Hashable {
    /// The CA of stored rows (position order, keys sealed under the mount's AAD); nil for none.
    init?(sealed rows: [(certificate: [UInt8], sealedKey: [UInt8])], mountID: String, keyring: Keyring) throws {
        guard !rows.isEmpty else { return nil }
        self.init(certificatesDER: rows.map(\.certificate), privateKeys: try rows.enumerated().map { i, r in
            StoredSecret(try keyring.open(r.sealedKey, aad: Keyring.caKeyAAD(mountID: mountID, index: i)))
        })
    }

    public var certificatesDER: [[UInt8]]
    /// Private keys in the order of `certificatesDER` (PKCS#8 DER or PEM bytes; opaque here).
    public var privateKeys: [StoredSecret]
    public init(certificatesDER: [[UInt8]], privateKeys: [StoredSecret]) {
        self.certificatesDER = certificatesDER; self.privateKeys = privateKeys
    }
}
