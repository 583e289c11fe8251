import Foundation
import KMIPPKI
import X509

/// A named CA of the mount (Vault 2.0 `kmip/ca/:name`). A generated one signs listener and client
/// certificates with a key the store keeps sealed (under ``materialID``); an imported one holds an
/// operator's certificate and only verifies clients, mapping each to a scope and a role.
/// Kept in the mount's config record, so every reference to it (listeners, roles) is checked and
/// changed in the same transaction.
public struct NamedAuthority: Sendable, Hashable, Codable {
    public var name: String
    public var kind: Kind

    public enum Kind: Sendable, Hashable, Codable {
        case generated(Generated)
        case imported(Imported)
    }

    public struct Generated: Sendable, Hashable, Codable {
        public var keyType: KeySpec.KeyType
        public var keyBits: Int
        /// Seconds (`ttl`).
        public var ttl: Int
        /// Where the store keeps the certificates and sealed keys (``MountStore/authorityMaterial(id:)``).
        public var materialID: String
    }

    public struct Imported: Sendable, Hashable, Codable {
        /// The bundle as imported, PEM.
        public var certificatePEM: String
        public var mapping: SubjectMapping
    }

    public var isImported: Bool { if case .imported = kind { true } else { false } }
}

extension KeySpec.KeyType: Codable {}

/// How an imported CA's client certificate names its scope and role: a fixed name, or the value
/// of one subject attribute, for each. Exactly one of each pair is set.
public struct SubjectMapping: Sendable, Hashable, Codable {
    public var scopeName: String?
    public var scopeField: SubjectField?
    public var roleName: String?
    public var roleField: SubjectField?

    public init(scopeName: String? = nil, scopeField: SubjectField? = nil, roleName: String? = nil, roleField: SubjectField? = nil) {
        self.scopeName = scopeName; self.scopeField = scopeField; self.roleName = roleName; self.roleField = roleField
    }

    public func validate() throws {
        guard (scopeName == nil) != (scopeField == nil) else {
            throw MountError.invalid("exactly one of scope_name and scope_field must be set")
        }
        guard (roleName == nil) != (roleField == nil) else {
            throw MountError.invalid("exactly one of role_name and role_field must be set")
        }
    }

    /// The scope and role names a verified certificate stands for.
    func names(of certificate: Certificate) throws -> (scope: String, role: String) {
        let scope = try scopeName ?? ImportedAuthority.value(of: scopeField!, in: certificate)
        let role = try roleName ?? ImportedAuthority.value(of: roleField!, in: certificate)
        return (scope, role)
    }
}

/// A change to an imported CA's mapping (`POST kmip/ca/:name`): the fields given replace; giving
/// one of a pair clears the other.
public struct SubjectMappingUpdate: Sendable, Hashable {
    public var scopeName: String?
    public var scopeField: String?
    public var roleName: String?
    public var roleField: String?

    public init(scopeName: String? = nil, scopeField: String? = nil, roleName: String? = nil, roleField: String? = nil) {
        self.scopeName = scopeName; self.scopeField = scopeField; self.roleName = roleName; self.roleField = roleField
    }

    /// `mapping` with this update applied, checked. Empty strings count as not given.
    func applied(to mapping: SubjectMapping) throws -> SubjectMapping {
        var m = mapping
        let scopeName = self.scopeName.flatMap { $0.isEmpty ? nil : $0 }
        let scopeField = try self.scopeField.flatMap { $0.isEmpty ? nil : try Self.field($0, "scope_field") }
        let roleName = self.roleName.flatMap { $0.isEmpty ? nil : $0 }
        let roleField = try self.roleField.flatMap { $0.isEmpty ? nil : try Self.field($0, "role_field") }
        if scopeName != nil && scopeField != nil { throw MountError.invalid("scope_name and scope_field are exclusive") }
        if roleName != nil && roleField != nil { throw MountError.invalid("role_name and role_field are exclusive") }
        if scopeName != nil || scopeField != nil { m.scopeName = scopeName; m.scopeField = scopeField }
        if roleName != nil || roleField != nil { m.roleName = roleName; m.roleField = roleField }
        try m.validate()
        return m
    }

    static func field(_ text: String, _ what: String) throws -> SubjectField {
        guard let field = SubjectField(name: text) else {
            throw MountError.invalid("\(what) must be CN, O, OU or UID, not \"\(text)\"")
        }
        return field
    }
}
