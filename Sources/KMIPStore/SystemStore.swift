import KMIP

/// A secrets-engine mount (`sys/mounts`): the path it answers under and the engine behind it.
/// Everything a mount owns (its config, CA, scopes, roles, credentials and the scopes' objects) is
/// keyed by `id`, so a mount keeps its data wherever it is reachable.
public struct MountEntry: Sendable, Hashable {
    /// 8 base62 characters, stable for the mount's life; never reused.
    public var id: String
    /// Normalised: no leading slash, one trailing slash (`kmip/`, `team-a/kmip/`).
    public var path: String
    /// The engine type; `kmip` is the only one served.
    public var type: String
    public var description: String
    /// Vault's `accessor` (`kmip_` + 8 hex characters), shown by `sys/mounts`.
    public var accessor: String
    public var createdAt: DateTime

    public init(id: String, path: String, type: String, description: String = "", accessor: String, createdAt: DateTime) {
        self.id = id; self.path = path; self.type = type; self.description = description
        self.accessor = accessor; self.createdAt = createdAt
    }
}

/// An API token. Only the SHA-256 of the token is stored; the token itself is shown once.
public struct TokenRecord: Sendable, Hashable {
    /// Public handle of the token (revoke by accessor, audit logs); random, not secret.
    public var accessor: String
    /// SHA-256 of the token's UTF-8 bytes.
    public var tokenHash: [UInt8]
    public var policies: [String]
    public var displayName: String
    public var createdAt: DateTime
    /// Nil: never expires (the root token).
    public var expiresAt: DateTime?
    /// Accessor of the token that created this one; revoking a parent revokes its children.
    public var parentAccessor: String?

    public init(accessor: String, tokenHash: [UInt8], policies: [String], displayName: String, createdAt: DateTime,
                expiresAt: DateTime? = nil, parentAccessor: String? = nil) {
        self.accessor = accessor; self.tokenHash = tokenHash; self.policies = policies; self.displayName = displayName
        self.createdAt = createdAt; self.expiresAt = expiresAt; self.parentAccessor = parentAccessor
    }
}

/// An enabled audit device (`sys/audit/:path`).
public struct AuditDeviceRecord: Sendable, Hashable {
    /// Normalised like a mount path (`file/`).
    public var path: String
    /// `file` is the only type.
    public var type: String
    public var description: String
    /// The device's options as given (`file_path`, `fail_closed`…); validated by the audit layer.
    public var options: [String: String]

    public init(path: String, type: String, description: String = "", options: [String: String]) {
        self.path = path; self.type = type; self.description = description; self.options = options
    }
}

/// An ACL policy (`sys/policy/:name`): its name and its text as written (HCL or JSON). The text is
/// parsed again on every load, as Vault does, so a parser fix applies to stored policies.
public struct PolicyRecord: Sendable, Hashable {
    /// Trimmed and lower-cased.
    public var name: String
    public var text: String

    public init(name: String, text: String) { self.name = name; self.text = text }
}

/// The server-wide records: mounts, API tokens, ACL policies and audit devices. A mount's own records are
/// reached through ``mountStore(mountID:)``.
public protocol SystemStore: Sendable {
    func mounts() async throws -> [MountEntry]
    /// Fails with ``StoreError/duplicate(_:)`` when the path (or the id) is taken.
    func insertMount(_ mount: MountEntry) async throws
    /// Removes the mount and everything it owns — config, CA, scopes, roles, credentials and the
    /// scopes' objects — in one transaction. Item Not Found if absent.
    func deleteMount(id: String) async throws
    /// The records of one mount. Scope ids and role ids stay unique across all mounts, so a
    /// certificate or an object can never be read as another mount's.
    func mountStore(mountID: String) -> any MountStore

    func tokens() async throws -> [TokenRecord]
    func token(hash: [UInt8]) async throws -> TokenRecord?
    func token(accessor: String) async throws -> TokenRecord?
    /// Fails with `StoreError.duplicate` when the accessor or the hash is taken.
    func insertToken(_ token: TokenRecord) async throws
    /// Inserts `token` only if the store holds no token at all, atomically (first start: of
    /// several servers starting together on one database, one creates the root token). True when
    /// inserted.
    func insertFirstToken(_ token: TokenRecord) async throws -> Bool
    /// Removes the token and, transitively, every token it created. Item Not Found if absent.
    func deleteToken(accessor: String) async throws

    /// Sorted by name.
    func policies() async throws -> [PolicyRecord]
    func policy(name: String) async throws -> PolicyRecord?
    /// Creates or replaces the policy of that name.
    func putPolicy(_ policy: PolicyRecord) async throws
    /// Stores the policy unless one of that name exists, atomically (never overwrites an
    /// operator's edit). True when stored.
    func createPolicy(_ policy: PolicyRecord) async throws -> Bool
    /// Item Not Found if absent.
    func deletePolicy(name: String) async throws

    func auditDevices() async throws -> [AuditDeviceRecord]
    /// Fails with `StoreError.duplicate` when the path is taken.
    func insertAuditDevice(_ device: AuditDeviceRecord) async throws
    /// Item Not Found if absent.
    func deleteAuditDevice(path: String) async throws

    /// Runs `body` holding the lock `name` of every server sharing this store, so that a check
    /// across records followed by a write (two mounts claiming one port or nested paths) is not
    /// interleaved with another node's. One process per store (SQLite, memory) needs none: the
    /// default runs `body` at once.
    func withExclusiveLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T
}

extension SystemStore {
    public func withExclusiveLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}

/// Everything one server keeps: managed objects, and the server-wide and per-mount records. What
/// the server is assembled over, whichever database holds it.
public protocol ServerStore: ObjectStore, SystemStore {
    /// Releases the store's connections (checkpointing where the database does); the store must
    /// not be used afterwards.
    func close() async throws
}
