import Foundation
import KMIP
import KMIPPKI
import KMIPStore

/// The minimum TLS version of the KMIP listener (`tls_min_version`).
public enum MountTLSVersion: String, Sendable, Hashable, CaseIterable, Codable {
    case tls12, tls13
}

/// The mount's `kmip/config`: Vault's fields with Vault's defaults (its observed behaviour:
/// EC P-256 everywhere and a 336 h client TTL). Stored as JSON in ``ConfigRecord``.
public struct MountConfig: Sendable, Hashable {
    /// `listen_addrs`: `host:port` entries, IPv6 hosts in brackets; a missing port becomes 5696.
    /// Empty: the legacy listener is off (Vault 2.0, where named listeners may replace it).
    public var listenAddrs: [String] = ["127.0.0.1:5696"]
    /// `https_listen_addrs`: where the mount also serves KMIP over HTTPS (`POST /kmip`, TTLV, JSON
    /// or XML bodies) with the same CA, certificate and credentials. Empty (the default): nowhere.
    public var httpsListenAddrs: [String] = []
    /// `connection_timeout` in seconds: the TLS handshake must finish within it.
    public var connectionTimeout: Int = 1
    /// `server_hostnames`: SAN DNS names of the listener certificate; the first is its CN.
    public var serverHostnames: [String] = ["localhost"]
    /// `server_ips`: SAN IPs of the listener certificate (127.0.0.1 and ::1 are always added).
    public var serverIPs: [String] = []
    public var tlsCAKeyType: KeySpec.KeyType = .ec
    public var tlsCAKeyBits: Int = 256
    public var tlsMinVersion: MountTLSVersion = .tls12
    public var defaultTLSClientKeyType: KeySpec.KeyType = .ec
    public var defaultTLSClientKeyBits: Int = 256
    /// `default_tls_client_ttl` in seconds (336 h).
    public var defaultTLSClientTTL: Int = 336 * 3600
    /// `explicit_attribute_index` and `wrapped_key_value`: answers the spec leaves open, per mount.
    public var compatibility = ClientCompatibility()
    /// Vault 2.0's named CAs, by name.
    public var authorities: [String: NamedAuthority] = [:]
    /// Vault 2.0's named listeners, by name.
    public var listeners: [String: NamedListener] = [:]
    /// The named CA of each role that has one (`ca`), keyed `<scope id>/<role id>`; a role not
    /// listed issues from the legacy CA. Kept here so that deleting a CA and naming it in a role
    /// cannot pass each other.
    public var roleAuthorities: [String: String] = [:]

    public static let defaultPort = 5696

    /// Every field at its default.
    public init() {}

    /// The CA key spec (`tls_ca_key_type` / `tls_ca_key_bits`).
    public func caKeySpec() throws -> KeySpec {
        do { return try KeySpec(type: tlsCAKeyType, bits: tlsCAKeyBits) } catch let e as PKIError {
            throw MountError.invalid("tls_ca_key_type/tls_ca_key_bits: \(e.message)")
        }
    }

    /// The default client key spec (`default_tls_client_key_type` / `default_tls_client_key_bits`).
    public func defaultClientKeySpec() throws -> KeySpec {
        do { return try KeySpec(type: defaultTLSClientKeyType, bits: defaultTLSClientKeyBits) } catch let e as PKIError {
            throw MountError.invalid("default_tls_client_key_type/default_tls_client_key_bits: \(e.message)")
        }
    }

    /// Throws a ``MountError`` naming the first invalid field.
    public func validate() throws {
        for address in listenAddrs { _ = try Self.normalizeListenAddress(address) }
        for address in httpsListenAddrs { _ = try Self.normalizeListenAddress(address, field: "https_listen_addrs") }
        guard connectionTimeout > 0 else { throw MountError.invalid("connection_timeout must be positive") }
        guard serverHostnames.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw MountError.invalid("server_hostnames must hold at least one name")
        }
        for ip in serverIPs where !Self.isIPAddress(ip) {
            throw MountError.invalid("server_ips entry \"\(ip)\" is not an IP address")
        }
        _ = try caKeySpec()
        _ = try defaultClientKeySpec()
        guard defaultTLSClientTTL > 0 else { throw MountError.invalid("default_tls_client_ttl must be positive") }
    }

    /// `host:port` with IPv6 hosts bracketed; an address without a port gets 5696 (IPv4, IPv6 and names).
    public static func normalizeListenAddress(_ text: String, field: String = "listen_addrs") throws -> String {
        try listenAddress(text, field: field).description
    }

    /// Splits a listen address into host (without brackets) and port.
    public static func splitListenAddress(_ text: String) throws -> (host: String, port: Int) {
        let address = try listenAddress(text)
        return (address.host, address.port)
    }

    static func listenAddress(_ text: String, field: String = "listen_addrs") throws -> HostPort {
        do { return try HostPort(parsing: text, defaultPort: defaultPort, allowsPortZero: true) } catch {
            throw MountError.invalid("\(field) entry \"\(text)\" is not host:port")
        }
    }

    public static func isIPAddress(_ text: String) -> Bool { HostPort.isIPAddress(text) }
}

// MARK: - Updates

/// A write to `kmip/config`: only the fields present change. The API coerces Vault's loosely
/// typed fields (`FieldData`) into it; the mount checks the values.
public struct MountConfigUpdate: Sendable, Hashable {
    public var listenAddrs: [String]?
    public var httpsListenAddrs: [String]?
    public var connectionTimeout: Int?
    public var serverHostnames: [String]?
    public var serverIPs: [String]?
    public var tlsCAKeyType: String?
    public var tlsCAKeyBits: Int?
    public var tlsMinVersion: String?
    public var defaultTLSClientKeyType: String?
    public var defaultTLSClientKeyBits: Int?
    public var defaultTLSClientTTL: Int?
    public var explicitAttributeIndex: Bool?
    public var wrappedKeyValue: String?
    public var omitFromAllAttributes: [String]?

    public init(listenAddrs: [String]? = nil, connectionTimeout: Int? = nil, serverHostnames: [String]? = nil,
                serverIPs: [String]? = nil, tlsCAKeyType: String? = nil, tlsCAKeyBits: Int? = nil,
                tlsMinVersion: String? = nil, defaultTLSClientKeyType: String? = nil,
                defaultTLSClientKeyBits: Int? = nil, defaultTLSClientTTL: Int? = nil,
                explicitAttributeIndex: Bool? = nil, wrappedKeyValue: String? = nil,
                omitFromAllAttributes: [String]? = nil, httpsListenAddrs: [String]? = nil) {
        self.listenAddrs = listenAddrs; self.connectionTimeout = connectionTimeout
        self.httpsListenAddrs = httpsListenAddrs
        self.serverHostnames = serverHostnames; self.serverIPs = serverIPs
        self.tlsCAKeyType = tlsCAKeyType; self.tlsCAKeyBits = tlsCAKeyBits; self.tlsMinVersion = tlsMinVersion
        self.defaultTLSClientKeyType = defaultTLSClientKeyType; self.defaultTLSClientKeyBits = defaultTLSClientKeyBits
        self.defaultTLSClientTTL = defaultTLSClientTTL
        self.explicitAttributeIndex = explicitAttributeIndex; self.wrappedKeyValue = wrappedKeyValue
        self.omitFromAllAttributes = omitFromAllAttributes
    }
}

extension MountConfig {
    /// This config with `update` applied and validated; listen addresses normalized.
    public func applying(_ update: MountConfigUpdate) throws -> MountConfig {
        var c = self
        if let v = update.listenAddrs { c.listenAddrs = try v.map { try Self.normalizeListenAddress($0) } }
        if let v = update.httpsListenAddrs { c.httpsListenAddrs = try v.map { try Self.normalizeListenAddress($0, field: "https_listen_addrs") } }
        if let v = update.connectionTimeout { c.connectionTimeout = v }
        if let v = update.serverHostnames { c.serverHostnames = v.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let v = update.serverIPs { c.serverIPs = v.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let v = update.tlsCAKeyType { c.tlsCAKeyType = try Self.keyType(v, field: "tls_ca_key_type") }
        if let v = update.tlsCAKeyBits { c.tlsCAKeyBits = v }
        if let v = update.tlsMinVersion { c.tlsMinVersion = try Self.tlsVersion(v) }
        if let v = update.defaultTLSClientKeyType { c.defaultTLSClientKeyType = try Self.keyType(v, field: "default_tls_client_key_type") }
        if let v = update.defaultTLSClientKeyBits { c.defaultTLSClientKeyBits = v }
        if let v = update.defaultTLSClientTTL { c.defaultTLSClientTTL = v }
        if let v = update.explicitAttributeIndex { c.compatibility.explicitAttributeIndex = v }
        if let v = update.wrappedKeyValue { c.compatibility.wrappedKeyValue = try Self.wrappedKeyValue(v) }
        if let v = update.omitFromAllAttributes { c.compatibility.omittedFromAllAttributes = try Self.attributeNames(v) }
        try c.validate()
        return c
    }

    static func keyType(_ text: String, field: String) throws -> KeySpec.KeyType {
        guard let t = KeySpec.KeyType(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw MountError.invalid("\(field) must be \"ec\" or \"rsa\", not \"\(text)\"")
        }
        return t
    }

    static func wrappedKeyValue(_ text: String) throws -> ClientCompatibility.WrappedKeyValue {
        guard let v = ClientCompatibility.WrappedKeyValue(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw MountError.invalid("wrapped_key_value must be \"byte_string\" or \"structure\", not \"\(text)\"")
        }
        return v
    }

    static func attributeNames(_ names: [String]) throws -> [String] {
        let trimmed = names.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for name in trimmed where AttributeDefinitions.named(name) == nil {
            throw MountError.invalid("omit_from_all_attributes: \"\(name)\" is not a KMIP attribute name")
        }
        return trimmed
    }

    static func tlsVersion(_ text: String, field: String = "tls_min_version") throws -> MountTLSVersion {
        guard let v = MountTLSVersion(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw MountError.invalid("\(field) must be \"tls12\" or \"tls13\", not \"\(text)\"")
        }
        return v
    }
}

/// Answers the spec leaves open, chosen per mount for clients that decode, or assert, only one of
/// them. The defaults are the OASIS test cases' shapes; docs/clients.md says which client needs what.
public struct ClientCompatibility: Sendable, Hashable {
    /// `explicit_attribute_index`: every instance of a multi-valued attribute in a response carries
    /// its Attribute Index, 0 included. KMIP 1.x §2.1.1 reads an absent index as 0 and the OASIS
    /// cases omit it; PyKMIP's integration suite asserts `attribute_index.value == 0`.
    public var explicitAttributeIndex = false
    /// `wrapped_key_value`: how Get returns a key wrapped with Encoding Option No Encoding.
    public var wrappedKeyValue = WrappedKeyValue.byteString
    /// `omit_from_all_attributes`: attributes a Get Attributes naming none leaves out (named, they
    /// are returned). Random Number Generator by default: PyKMIP 0.11 cannot decode it, and it
    /// describes the server rather than the object. Debian's PyKMIP 0.10 cannot decode Original
    /// Creation Date either.
    public var omittedFromAllAttributes = ["Random Number Generator"]

    public enum WrappedKeyValue: String, Sendable, Hashable {
        /// A Byte String Key Value (KMIP 1.x §2.1.4; TC_141, TC-WRAP-1-20).
        case byteString = "byte_string"
        /// A Key Value structure whose Key Material is the wrapped bytes (TC-WRAP-1-14; PyKMIP
        /// decodes only this shape).
        case structure
    }

    public init() {}
}

// MARK: - Stored form

/// The config as ``ConfigRecord`` keeps it: JSON with its own keys and a format number, so the
/// API's field names can change without touching stored data. Format 0 (no `format` key) was the
/// API's field map; it is read as well, and the next config write stores format 1. A server older
/// than format 1 cannot read a format-1 record: downgrading after a config write is not supported.
extension MountConfig: Codable {
    public static let storedFormat = 1

    enum CodingKeys: String, CodingKey {
        case format, listenAddresses, connectionTimeoutSeconds, serverHostnames, serverIPs, caKeyType, caKeyBits
        case tlsMinimumVersion, clientKeyType, clientKeyBits, clientCertificateTTLSeconds
        case explicitAttributeIndex, wrappedKeyValue, omittedFromAllAttributes
        case authorities, listeners, roleAuthorities, httpsListenAddresses
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let format = try c.decodeIfPresent(Int.self, forKey: .format) else {
            self = try LegacyStoredConfig(from: decoder).config()
            return
        }
        guard format == Self.storedFormat else {
            throw MountError.invalid("stored kmip/config has format \(format); this server reads format \(Self.storedFormat)")
        }
        var m = MountConfig()
        if let v = try c.decodeIfPresent([String].self, forKey: .listenAddresses) { m.listenAddrs = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .connectionTimeoutSeconds) { m.connectionTimeout = v }
        if let v = try c.decodeIfPresent([String].self, forKey: .serverHostnames) { m.serverHostnames = v }
        if let v = try c.decodeIfPresent([String].self, forKey: .serverIPs) { m.serverIPs = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .caKeyType) { m.tlsCAKeyType = try Self.keyType(v, field: "caKeyType") }
        if let v = try c.decodeIfPresent(Int.self, forKey: .caKeyBits) { m.tlsCAKeyBits = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .tlsMinimumVersion) { m.tlsMinVersion = try Self.tlsVersion(v) }
        if let v = try c.decodeIfPresent(String.self, forKey: .clientKeyType) {
            m.defaultTLSClientKeyType = try Self.keyType(v, field: "clientKeyType")
        }
        if let v = try c.decodeIfPresent(Int.self, forKey: .clientKeyBits) { m.defaultTLSClientKeyBits = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: .clientCertificateTTLSeconds) { m.defaultTLSClientTTL = v }
        if let v = try c.decodeIfPresent(Bool.self, forKey: .explicitAttributeIndex) { m.compatibility.explicitAttributeIndex = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .wrappedKeyValue) {
            m.compatibility.wrappedKeyValue = try Self.wrappedKeyValue(v)
        }
        if let v = try c.decodeIfPresent([String].self, forKey: .omittedFromAllAttributes) {
            m.compatibility.omittedFromAllAttributes = v
        }
        if let v = try c.decodeIfPresent([String: NamedAuthority].self, forKey: .authorities) { m.authorities = v }
        if let v = try c.decodeIfPresent([String: NamedListener].self, forKey: .listeners) { m.listeners = v }
        if let v = try c.decodeIfPresent([String: String].self, forKey: .roleAuthorities) { m.roleAuthorities = v }
        if let v = try c.decodeIfPresent([String].self, forKey: .httpsListenAddresses) { m.httpsListenAddrs = v }
        try m.validate()
        self = m
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.storedFormat, forKey: .format)
        try c.encode(listenAddrs, forKey: .listenAddresses)
        try c.encode(connectionTimeout, forKey: .connectionTimeoutSeconds)
        try c.encode(serverHostnames, forKey: .serverHostnames)
        try c.encode(serverIPs, forKey: .serverIPs)
        try c.encode(tlsCAKeyType.rawValue, forKey: .caKeyType)
        try c.encode(tlsCAKeyBits, forKey: .caKeyBits)
        try c.encode(tlsMinVersion.rawValue, forKey: .tlsMinimumVersion)
        try c.encode(defaultTLSClientKeyType.rawValue, forKey: .clientKeyType)
        try c.encode(defaultTLSClientKeyBits, forKey: .clientKeyBits)
        try c.encode(defaultTLSClientTTL, forKey: .clientCertificateTTLSeconds)
        try c.encode(compatibility.explicitAttributeIndex, forKey: .explicitAttributeIndex)
        try c.encode(compatibility.wrappedKeyValue.rawValue, forKey: .wrappedKeyValue)
        try c.encode(compatibility.omittedFromAllAttributes, forKey: .omittedFromAllAttributes)
        // Written only once used, so a 1.x config's record keeps its shape.
        if !authorities.isEmpty { try c.encode(authorities, forKey: .authorities) }
        if !listeners.isEmpty { try c.encode(listeners, forKey: .listeners) }
        if !roleAuthorities.isEmpty { try c.encode(roleAuthorities, forKey: .roleAuthorities) }
        if !httpsListenAddrs.isEmpty { try c.encode(httpsListenAddrs, forKey: .httpsListenAddresses) }
    }

    /// Reads a stored record in any known format.
    public init(stored record: ConfigRecord) throws {
        do { self = try JSONDecoder().decode(MountConfig.self, from: Data(record.json.utf8)) } catch let e as MountError {
            throw e
        } catch {
            throw MountError.invalid("stored kmip/config cannot be read: \(error)")
        }
    }

    /// The record in the current format (sorted keys).
    public var record: ConfigRecord {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding strings, ints, Booleans and collections of them cannot fail.
        return ConfigRecord(json: String(decoding: try! encoder.encode(self), as: UTF8.self))
    }
}

/// Format 0 of the stored config: the API's field names, durations in seconds, as servers before
/// format 1 wrote it. Missing fields take their defaults.
struct LegacyStoredConfig: Decodable {
    var listen_addrs: [String]?
    var connection_timeout: Int?
    var server_hostnames: [String]?
    var server_ips: [String]?
    var tls_ca_key_type: String?
    var tls_ca_key_bits: Int?
    var tls_min_version: String?
    var default_tls_client_key_type: String?
    var default_tls_client_key_bits: Int?
    var default_tls_client_ttl: Int?

    func config() throws -> MountConfig {
        try MountConfig().applying(MountConfigUpdate(
            listenAddrs: listen_addrs, connectionTimeout: connection_timeout, serverHostnames: server_hostnames,
            serverIPs: server_ips, tlsCAKeyType: tls_ca_key_type, tlsCAKeyBits: tls_ca_key_bits,
            tlsMinVersion: tls_min_version, defaultTLSClientKeyType: default_tls_client_key_type,
            defaultTLSClientKeyBits: default_tls_client_key_bits, defaultTLSClientTTL: default_tls_client_ttl))
    }
}
