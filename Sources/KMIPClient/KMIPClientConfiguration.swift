import Foundation
import KMIP

/// Where a `KMIPClient` connects and with which credential.
public struct KMIPClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// CA certificates trusted for the server's chain.
    public var trustRootsPEM: [String]
    /// The client certificate, leaf first (intermediates may follow).
    public var certificateChainPEM: [String]
    /// Secret: never logged, never part of `description`.
    public var privateKeyPEM: String
    /// Sent as SNI (when a DNS name) and verified: NIOSSL accepts a DNS SAN matching it or an IP SAN
    /// equal to the connected address. Defaults to `host`; nil (an explicit opt-out) verifies the
    /// chain only.
    public var serverHostname: String?
    public var protocolVersion: ProtocolVersion = .v1_4
    /// Bounds connecting (TCP and TLS) and every request/response exchange.
    public var timeout: Duration = .seconds(30)
    public var limits: Limits = .default
    /// nil: TTLV messages on the KMIP port. Otherwise KMIP over HTTPS (the KMIP HTTPS profile):
    /// each message is a `POST` to `httpPath` with its body in this encoding.
    public var httpsEncoding: MessageEncoding?
    /// The request URI of KMIP over HTTPS (`/kmip`; KMIP 2.1 also names `/kmip/2_1`).
    public var httpPath: String = "/kmip"

    public init(host: String, port: Int, trustRootsPEM: [String], certificateChainPEM: [String], privateKeyPEM: String) {
        self.host = host
        self.port = port
        self.trustRootsPEM = trustRootsPEM
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.serverHostname = host
    }

    /// Reads PEM files: `caFile` and `certFile` may hold several certificates each.
    public static func files(host: String, port: Int, caFile: String, certFile: String, keyFile: String) throws
        -> KMIPClientConfiguration
    {
        func read(_ path: String) throws -> String {
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw KMIPClientError(.invalidConfiguration, "cannot read \(path)")
            }
        }
        let ca = splitPEMCertificates(try read(caFile))
        let chain = splitPEMCertificates(try read(certFile))
        guard !ca.isEmpty else { throw KMIPClientError(.invalidConfiguration, "\(caFile) holds no PEM certificate") }
        guard !chain.isEmpty else { throw KMIPClientError(.invalidConfiguration, "\(certFile) holds no PEM certificate") }
        let key = try read(keyFile)
        guard key.contains("PRIVATE KEY-----") else {
            throw KMIPClientError(.invalidConfiguration, "\(keyFile) holds no PEM private key")
        }
        return KMIPClientConfiguration(
            host: host, port: port, trustRootsPEM: ca, certificateChainPEM: chain, privateKeyPEM: key)
    }

    /// Every `-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----` block of `text`, in order.
    public static func splitPEMCertificates(_ text: String) -> [String] {
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var result: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin), let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex) {
            result.append(String(rest[start.lowerBound..<stop.upperBound]) + "\n")
            rest = rest[stop.upperBound...]
        }
        return result
    }
}

extension KMIPClientConfiguration: CustomStringConvertible {
    public var description: String {
        "KMIPClientConfiguration(host: \(host), port: \(port), serverHostname: \(serverHostname ?? "nil"), "
            + "version: \(protocolVersion), privateKey: <redacted>)"
    }
}

/// A failure of the connection itself (KMIP-level failures are `KMIPError`).
public struct KMIPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case invalidConfiguration, connectionFailed, timeout, connectionClosed, invalidResponse
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}
