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
        // TLS 1.2: forward-secret AEAD suites only (no static-RSA key exchange, no CBC); TLS 1.3's
        // suites are all AEAD already.
        tls.cipherSuites = Self.tls12CipherSuites
        tls.sendCANameList = !roots.isEmpty
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw TransportError(.invalidCertificate, "TLS configuration refused: \(error)")
        }
    }
}
