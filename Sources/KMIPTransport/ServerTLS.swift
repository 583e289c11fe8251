import NIOSSL

enum ServerTLS {
    static func certificates(_ pems: [String], what: String) throws -> [NIOSSLCertificate] {
        var result: [NIOSSLCertificate] = []
        for pem in pems where !pem.trimmingSpaces.isEmpty {
            do {
                result += try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            } catch {
                throw TransportError(.invalidCertificate, "\(what) is not a valid PEM certificate")
            }
        }
        return result
    }

    static let tls12CipherSuites = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!MD5"

    /// The TLS 1.2 suites a listener may name (IANA names): the forward-secret AEAD ones.
    public static let namedCipherSuites: [String: NIOTLSCipher] = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// The listener's TLS context: its certificate chain and key, TLS 1.2+ or 1.3+, client certificate required.
    /// The client chain itself is checked by the listener's custom verification callback.
    static func makeContext(_ configuration: TransportConfiguration) throws -> NIOSSLContext {
        let chain = try certificates(configuration.serverCertificateChainPEM, what: "server certificate chain")
        guard !chain.isEmpty else { throw TransportError(.invalidCertificate, "server certificate chain is empty") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(configuration.serverPrivateKeyPEM.utf8), format: .pem)
        } catch {
            // The underlying error is not echoed: it could quote the key.
            throw TransportError(.invalidPrivateKey, "server private key is not a valid PEM private key")
        }
        let roots = try certificates(configuration.clientTrustRootsPEM, what: "client trust roots")
        var tls = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key),
            trustRoots: .certificates(roots))
        // `.noHostnameVerification` makes BoringSSL demand a client certificate (handshake fails without one).
        tls.certificateVerification = .noHostnameVerification
        tls.minimumTLSVersion = configuration.tlsMinimumVersion == .tls13 ? .tlsv13 : .tlsv12
        tls.maximumTLSVersion = configuration.tlsMaximumVersion.map { $0 == .tls13 ? .tlsv13 : .tlsv12 }
        // TLS 1.2: forward-secret AEAD suites only (no static-RSA key exchange, no CBC); TLS 1.3's
        // suites are all AEAD already.
        if configuration.tls12CipherSuites.isEmpty {
            tls.cipherSuites = Self.tls12CipherSuites
        } else {
            tls.cipherSuiteValues = try configuration.tls12CipherSuites.map { name in
                guard let suite = namedCipherSuites[name] else {
                    throw TransportError(.invalidCertificate, "TLS cipher suite \(name) is not accepted")
                }
                return suite
            }
        }
        tls.sendCANameList = !roots.isEmpty
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw TransportError(.invalidCertificate, "TLS configuration refused: \(error)")
        }
    }
}
