import Foundation
import KMIPPKI
import KMIPStore

/// The minimum TLS version of the KMIP listener (`tls_min_version`).
public enum MountTLSVersion: String, Sendable, Hashable, CaseIterable {
    case tls12, tls13
}

/// The mount's `kmip/config`: Vault's fields with SPEC §4 defaults (Vault's observed behaviour:
/// EC P-256 everywhere and a 336 h client TTL). Stored as JSON in ``ConfigRecord``.
public struct MountConfig: Sendable, Hashable {
    /// `listen_addrs`: `host:port` entries, IPv6 hosts in brackets; a missing port becomes 5696.
    public var listenAddrs: [String] = ["127.0.0.1:5696"]
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

    public static let defaultPort = 5696

    /// Every field at its default.
    public init() {}

    /// The field names of `kmip/config`, in Vault's documentation order.
    public static let fieldNames = [
        "listen_addrs", "connection_timeout", "server_hostnames", "server_ips", "tls_ca_key_type", "tls_ca_key_bits",
        "tls_min_version", "default_tls_client_key_type", "default_tls_client_key_bits", "default_tls_client_ttl",
    ]

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
        guard !listenAddrs.isEmpty else { throw MountError.invalid("listen_addrs must hold at least one address") }
        for address in listenAddrs { _ = try Self.normalizeListenAddress(address) }
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
    public static func normalizeListenAddress(_ text: String) throws -> String {
        try listenAddress(text).description
    }

    /// Splits a listen address into host (without brackets) and port.
    public static func splitListenAddress(_ text: String) throws -> (host: String, port: Int) {
        let address = try listenAddress(text)
        return (address.host, address.port)
    }

    static func listenAddress(_ text: String) throws -> HostPort {
        do { return try HostPort(parsing: text, defaultPort: defaultPort, allowsPortZero: true) } catch {
            throw MountError.invalid("listen_addrs entry \"\(text)\" is not host:port")
        }
    }

    public static func isIPAddress(_ text: String) -> Bool { HostPort.isIPAddress(text) }
}

// MARK: - Updates

/// A write to `kmip/config`: only the fields present change. Build it typed, or from Vault-style
/// loosely typed fields with ``init(fields:)``.
public struct MountConfigUpdate: Sendable, Hashable {
    public var listenAddrs: [String]?
    public var connectionTimeout: Int?
    public var serverHostnames: [String]?
    public var serverIPs: [String]?
    public var tlsCAKeyType: String?
    public var tlsCAKeyBits: Int?
    public var tlsMinVersion: String?
    public var defaultTLSClientKeyType: String?
    public var defaultTLSClientKeyBits: Int?
    public var defaultTLSClientTTL: Int?
    /// Fields given that `kmip/config` does not know (Vault answers them with a warning).
    public var unknownFields: [String] = []

    public init(listenAddrs: [String]? = nil, connectionTimeout: Int? = nil, serverHostnames: [String]? = nil,
                serverIPs: [String]? = nil, tlsCAKeyType: String? = nil, tlsCAKeyBits: Int? = nil,
                tlsMinVersion: String? = nil, defaultTLSClientKeyType: String? = nil,
                defaultTLSClientKeyBits: Int? = nil, defaultTLSClientTTL: Int? = nil) {
        self.listenAddrs = listenAddrs; self.connectionTimeout = connectionTimeout
        self.serverHostnames = serverHostnames; self.serverIPs = serverIPs
        self.tlsCAKeyType = tlsCAKeyType; self.tlsCAKeyBits = tlsCAKeyBits; self.tlsMinVersion = tlsMinVersion
        self.defaultTLSClientKeyType = defaultTLSClientKeyType; self.defaultTLSClientKeyBits = defaultTLSClientKeyBits
        self.defaultTLSClientTTL = defaultTLSClientTTL
    }

    /// Parses Vault-style fields: lists or comma-separated strings, ints or duration strings.
    public init(fields: [String: MountFieldValue]) throws {
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            switch name {
            case "listen_addrs": listenAddrs = try MountFields.stringList(value, field: name)
            case "connection_timeout": connectionTimeout = try MountFields.durationSeconds(value, field: name)
            case "server_hostnames": serverHostnames = try MountFields.stringList(value, field: name)
            case "server_ips": serverIPs = try MountFields.stringList(value, field: name)
            case "tls_ca_key_type": tlsCAKeyType = try MountFields.string(value, field: name)
            case "tls_ca_key_bits": tlsCAKeyBits = try MountFields.int(value, field: name)
            case "tls_min_version": tlsMinVersion = try MountFields.string(value, field: name)
            case "default_tls_client_key_type": defaultTLSClientKeyType = try MountFields.string(value, field: name)
            case "default_tls_client_key_bits": defaultTLSClientKeyBits = try MountFields.int(value, field: name)
            case "default_tls_client_ttl": defaultTLSClientTTL = try MountFields.durationSeconds(value, field: name)
            default: unknownFields.append(name)
            }
        }
    }
}

extension MountConfig {
    /// This config with `update` applied and validated; listen addresses normalized.
    public func applying(_ update: MountConfigUpdate) throws -> MountConfig {
        var c = self
        if let v = update.listenAddrs { c.listenAddrs = try v.map(Self.normalizeListenAddress) }
        if let v = update.connectionTimeout { c.connectionTimeout = v }
        if let v = update.serverHostnames { c.serverHostnames = v.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let v = update.serverIPs { c.serverIPs = v.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let v = update.tlsCAKeyType { c.tlsCAKeyType = try Self.keyType(v, field: "tls_ca_key_type") }
        if let v = update.tlsCAKeyBits { c.tlsCAKeyBits = v }
        if let v = update.tlsMinVersion { c.tlsMinVersion = try Self.tlsVersion(v) }
        if let v = update.defaultTLSClientKeyType { c.defaultTLSClientKeyType = try Self.keyType(v, field: "default_tls_client_key_type") }
        if let v = update.defaultTLSClientKeyBits { c.defaultTLSClientKeyBits = v }
        if let v = update.defaultTLSClientTTL { c.defaultTLSClientTTL = v }
        try c.validate()
        return c
    }

    static func keyType(_ text: String, field: String) throws -> KeySpec.KeyType {
        guard let t = KeySpec.KeyType(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw MountError.invalid("\(field) must be \"ec\" or \"rsa\", not \"\(text)\"")
        }
        return t
    }

    static func tlsVersion(_ text: String) throws -> MountTLSVersion {
        guard let v = MountTLSVersion(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw MountError.invalid("tls_min_version must be \"tls12\" or \"tls13\", not \"\(text)\"")
        }
        return v
    }
}

// MARK: - Stored form

extension MountConfig {
    /// The config as loosely typed fields (durations in seconds), as stored and as the API reads it.
    public var fields: [String: MountFieldValue] {
        [
            "listen_addrs": .list(listenAddrs.map(MountFieldValue.string)),
            "connection_timeout": .int(connectionTimeout),
            "server_hostnames": .list(serverHostnames.map(MountFieldValue.string)),
            "server_ips": .list(serverIPs.map(MountFieldValue.string)),
            "tls_ca_key_type": .string(tlsCAKeyType.rawValue),
            "tls_ca_key_bits": .int(tlsCAKeyBits),
            "tls_min_version": .string(tlsMinVersion.rawValue),
            "default_tls_client_key_type": .string(defaultTLSClientKeyType.rawValue),
            "default_tls_client_key_bits": .int(defaultTLSClientKeyBits),
            "default_tls_client_ttl": .int(defaultTLSClientTTL),
        ]
    }

    /// The JSON kept in ``ConfigRecord`` (sorted keys, durations in seconds).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(fields), as: UTF8.self)
    }

    /// Reads stored JSON leniently (the field rules of a write); missing fields take their defaults.
    public init(json: String) throws {
        let fields: [String: MountFieldValue]
        do { fields = try JSONDecoder().decode([String: MountFieldValue].self, from: Data(json.utf8)) } catch {
            throw MountError.invalid("stored kmip/config is not a JSON object: \(error)")
        }
        self = try MountConfig().applying(MountConfigUpdate(fields: fields))
    }

    public var record: ConfigRecord { ConfigRecord(json: json()) }
}

extension MountConfig: Codable {
    public init(from decoder: any Decoder) throws {
        let fields = try [String: MountFieldValue](from: decoder)
        self = try MountConfig().applying(MountConfigUpdate(fields: fields))
    }
    public func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
}
