import Foundation

/// A named KMIP listener of the mount (Vault 2.0 `kmip/listener/:name`): its own address, server
/// certificate (signed by its generated CA ``ca``), client trust set and TLS settings.
public struct NamedListener: Sendable, Hashable, Codable {
    public var name: String
    /// A generated CA: it signs the server certificate and is trusted for client certificates.
    public var ca: String
    /// `host:port`, normalized.
    public var address: String
    /// `https_address`: where the listener also serves KMIP over HTTPS (`POST /kmip`), with the
    /// same certificate, trust and TLS settings; nil: it does not.
    public var httpsAddress: String?
    public var serverHostnames: [String] = []
    public var serverIPs: [String] = NamedListener.defaultServerIPs
    /// Further CAs (generated or imported) trusted for client certificates.
    public var additionalClientCAs: [String] = []
    /// Also trust the legacy CA of `kmip/config`.
    public var alsoUseLegacyCA = false
    public var tlsMinVersion: MountTLSVersion = .tls12
    public var tlsMaxVersion: MountTLSVersion?
    /// IANA names of the TLS 1.2 suites allowed; empty: the server's default set.
    public var tlsCipherSuites: [String] = []

    public static let defaultServerIPs = ["127.0.0.1", "::1"]

    /// The TLS 1.2 suites a listener may name: the forward-secret AEAD suites, the same set the
    /// listeners use by default. CBC and static-RSA suites are refused (docs/conformance.md).
    public static let allowedCipherSuites = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ]

    /// Every CA name the listener trusts for client certificates (its own first).
    public var clientCAs: [String] { [ca] + additionalClientCAs.filter { $0 != ca } }

    /// Checks what does not depend on other listeners or CAs.
    func validate() throws {
        try KMIPMount.validateName(name, what: "listener")
        guard !ca.isEmpty else { throw MountError.invalid("ca is required: the generated CA that signs the listener's certificate") }
        _ = try MountConfig.listenAddress(address, field: "address")
        if let httpsAddress { _ = try MountConfig.listenAddress(httpsAddress, field: "https_address") }
        for ip in serverIPs where !MountConfig.isIPAddress(ip) {
            throw MountError.invalid("server_ips entry \"\(ip)\" is not an IP address")
        }
        if let max = tlsMaxVersion, max == .tls12, tlsMinVersion == .tls13 {
            throw MountError.invalid("tls_max_version tls12 is below tls_min_version tls13")
        }
        for suite in tlsCipherSuites where !Self.allowedCipherSuites.contains(suite) {
            throw MountError.invalid("tls_cipher_suites: \"\(suite)\" is not accepted; use forward-secret AEAD suites: "
                + Self.allowedCipherSuites.joined(separator: ", "))
        }
        if !tlsCipherSuites.isEmpty, tlsMinVersion == .tls13 {
            throw MountError.invalid("tls_cipher_suites apply to TLS 1.2 only, and tls_min_version is tls13")
        }
    }
}

/// A write to `kmip/listener/:name`: the whole listener, Vault's defaults for what is left out.
public struct NamedListenerDefinition: Sendable, Hashable {
    public var ca: String?
    public var address: String?
    public var serverHostnames: [String]?
    public var serverIPs: [String]?
    public var additionalClientCAs: [String]?
    public var alsoUseLegacyCA: Bool?
    public var tlsMinVersion: String?
    public var tlsMaxVersion: String?
    public var tlsCipherSuites: [String]?
    public var httpsAddress: String?

    public init(ca: String? = nil, address: String? = nil, serverHostnames: [String]? = nil, serverIPs: [String]? = nil,
                additionalClientCAs: [String]? = nil, alsoUseLegacyCA: Bool? = nil, tlsMinVersion: String? = nil,
                tlsMaxVersion: String? = nil, tlsCipherSuites: [String]? = nil, httpsAddress: String? = nil) {
        self.httpsAddress = httpsAddress
        self.ca = ca; self.address = address; self.serverHostnames = serverHostnames; self.serverIPs = serverIPs
        self.additionalClientCAs = additionalClientCAs; self.alsoUseLegacyCA = alsoUseLegacyCA
        self.tlsMinVersion = tlsMinVersion; self.tlsMaxVersion = tlsMaxVersion; self.tlsCipherSuites = tlsCipherSuites
    }

    /// The listener this definition describes (replace, not merge: what is left out takes its default).
    func listener(named name: String) throws -> NamedListener {
        guard let ca = ca?.trimmingCharacters(in: .whitespaces), !ca.isEmpty else {
            throw MountError.invalid("ca is required: the generated CA that signs the listener's certificate")
        }
        guard let address = address?.trimmingCharacters(in: .whitespaces), !address.isEmpty else {
            throw MountError.invalid("address is required (host:port)")
        }
        let trimmed: ([String]?) -> [String]? = { $0?.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        var l = NamedListener(name: name, ca: ca, address: try MountConfig.normalizeListenAddress(address, field: "address"))
        if let v = httpsAddress?.trimmingCharacters(in: .whitespaces), !v.isEmpty {
            l.httpsAddress = try MountConfig.normalizeListenAddress(v, field: "https_address")
        }
        if let v = trimmed(serverHostnames) { l.serverHostnames = v }
        if let v = trimmed(serverIPs) { l.serverIPs = v }
        if let v = trimmed(additionalClientCAs) {
            var unique: [String] = []
            for name in v where !unique.contains(name) { unique.append(name) }
            l.additionalClientCAs = unique
        }
        if let v = alsoUseLegacyCA { l.alsoUseLegacyCA = v }
        if let v = tlsMinVersion, !v.isEmpty { l.tlsMinVersion = try MountConfig.tlsVersion(v, field: "tls_min_version") }
        if let v = tlsMaxVersion, !v.isEmpty { l.tlsMaxVersion = try MountConfig.tlsVersion(v, field: "tls_max_version") }
        if let v = trimmed(tlsCipherSuites) { l.tlsCipherSuites = v.map { $0.uppercased() } }
        try l.validate()
        return l
    }
}
