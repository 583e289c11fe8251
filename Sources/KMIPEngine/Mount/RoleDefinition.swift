import KMIP
import KMIPPKI
import KMIPStore

/// The `operation_*` flags of a role (Vault's 26 operations) and their KMIP operations.
public enum RoleOperationFlags {
    public static let all = "operation_all"
    public static let none = "operation_none"

    /// Each flag with its operation, in Vault's documentation order (alphabetical), as the
    /// operations declare them.
    public static let flags: [(flag: String, operation: Operation)] = OperationCatalog.operations.values
        .compactMap { op in op.declaration.roleFlag.map { ($0, op.declaration.operation) } }
        .sorted { $0.flag < $1.flag }

    /// Spellings accepted besides the flags': Vault's documentation writes `_keypair`, its API and
    /// Terraform's provider `_key_pair` (reference vault-2-kmip-api.md §5.2). Read back as the flag.
    public static let aliases: [String: String] = [
        "operation_create_keypair": "operation_create_key_pair",
        "operation_rekey_keypair": "operation_rekey_key_pair",
    ]

    public static func operation(forFlag flag: String) -> Operation? {
        let name = aliases[flag] ?? flag
        return flags.first { $0.flag == name }?.operation
    }
    public static func flag(for operation: Operation) -> String? { flags.first { $0.operation == operation }?.flag }
}

/// A create-or-replace of a role (`POST kmip/scope/:scope/role/:role`), typed by the API: the update
/// replaces the whole operation set. `operationAll` / `operationNone` exclude every other operation flag.
public struct RoleDefinition: Sendable, Hashable {
    public var operationAll: Bool
    public var operationNone: Bool
    public var operations: Set<Operation>
    /// `tls_client_key_type` (`ec` | `rsa`); nil = the config default.
    public var tlsClientKeyType: String?
    /// `tls_client_key_bits`; nil or 0 = the config default.
    public var tlsClientKeyBits: Int?
    /// `tls_client_ttl` in seconds; nil or 0 = the config default.
    public var tlsClientTTL: Int?
    /// `ca` (Vault 2.0): the generated named CA that signs the role's certificates; nil or empty =
    /// the legacy CA of `kmip/config`.
    public var ca: String?

    public init(operationAll: Bool = false, operationNone: Bool = false, operations: Set<Operation> = [],
                tlsClientKeyType: String? = nil, tlsClientKeyBits: Int? = nil, tlsClientTTL: Int? = nil, ca: String? = nil) {
        self.operationAll = operationAll; self.operationNone = operationNone; self.operations = operations
        self.tlsClientKeyType = tlsClientKeyType; self.tlsClientKeyBits = tlsClientKeyBits; self.tlsClientTTL = tlsClientTTL
        self.ca = ca
    }

    public static let all = RoleDefinition(operationAll: true)

    /// Checks the exclusivity rule and the overrides (a key type/bits pair is checked against
    /// `config`'s defaults by ``KMIPMount``).
    public func validate() throws {
        if operationAll && operationNone {
            throw MountError.invalid("operation_all and operation_none may not be specified together")
        }
        if operationAll && !operations.isEmpty {
            throw MountError.invalid("operation_all may not be specified with any other operation_ flag")
        }
        if operationNone && !operations.isEmpty {
            throw MountError.invalid("operation_none may not be specified with any other operation_ flag")
        }
        if let t = tlsClientKeyType { _ = try MountConfig.keyType(t, field: "tls_client_key_type") }
        if let b = tlsClientKeyBits, b < 0 { throw MountError.invalid("tls_client_key_bits must not be negative") }
        if let ttl = tlsClientTTL, ttl < 0 { throw MountError.invalid("tls_client_ttl must not be negative") }
    }
}

extension MountConfig {
    /// The key spec of a role's client certificates: the role's type (else the default type) with
    /// the role's bits, else the default bits when the type is the default one, else that type's
    /// smallest accepted size (EC 256, RSA 2048).
    public func clientKeySpec(for role: RoleRecord) throws -> KeySpec {
        let type = try role.tlsClientKeyType.map { try Self.keyType($0, field: "tls_client_key_type") } ?? defaultTLSClientKeyType
        let bits: Int
        if let b = role.tlsClientKeyBits, b > 0 {
            bits = b
        } else if type == defaultTLSClientKeyType {
            bits = defaultTLSClientKeyBits
        } else {
            bits = type == .ec ? 256 : 2048
        }
        do { return try KeySpec(type: type, bits: bits) } catch let e as PKIError {
            throw MountError.invalid("role \(role.name): tls_client_key_type/tls_client_key_bits: \(e.message)")
        }
    }

    /// The TTL in seconds of a role's client certificates: the role's, else the default.
    public func clientTTL(for role: RoleRecord) -> Int {
        if let ttl = role.tlsClientTTL, ttl > 0 { return ttl }
        return defaultTLSClientTTL
    }
}
