import Foundation
@testable import StrongroomCLI
import VaultFramework

/// Answers every request with the next canned response and remembers what was asked.
actor StubTransport: HTTPTransport {
    private var responses: [HTTPResponse]
    private(set) var requests: [HTTPRequest] = []
    private let failure: String?

    init(_ responses: [HTTPResponse] = [], failure: String? = nil) {
        self.responses = responses
        self.failure = failure
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.append(request)
        if let failure { throw HTTPTransportError(failure) }
        return responses.isEmpty ? HTTPResponse(status: 204) : responses.removeFirst()
    }
}

extension HTTPResponse {
    static func json(_ status: Int, _ text: String) -> HTTPResponse { HTTPResponse(status: status, body: Data(text.utf8)) }
}

extension ArgumentSources {
    /// No stdin, no files unless given.
    static func fixed(stdin: String = "", files: [String: String] = [:]) -> ArgumentSources {
        ArgumentSources(
            readStdin: { Data(stdin.utf8) },
            readFile: { path in
                guard let text = files[path] else { throw KeyValueError("open \(path): no such file or directory") }
                return Data(text.utf8)
            })
    }
}

func makeRunner(_ transport: StubTransport, format: String = "table", field: String? = nil, terminal: Bool = false,
                sources: ArgumentSources = .fixed(), address: String = "http://127.0.0.1:8200") -> CommandRunner {
    let client = VaultClient(configuration: ClientConfiguration(address: address, token: "s.test"), transport: transport)
    return CommandRunner(client: client, output: OutputOptions(format: format, field: field, stdoutIsTerminal: terminal),
                         sources: sources)
}

/// The seed's credential/generate answer (shortened PEMs, same shape).
enum Seed {
    static let intermediate = "-----BEGIN CERTIFICATE-----\nMIICNTCCAZigAwIBAgIU\nimGaLJK9VIwfcJOpVCFGp7Xi8QGV6rJIFiQAqzqCy69vcU6nVMsvens=\n-----END CERTIFICATE-----"
    static let root = "-----BEGIN CERTIFICATE-----\nMIICKjCCAYugAwIBAgIU\nkbz2kXPcAk+dE6ncnwhwqNQgsJQGgQzJroH+Zzvb\n-----END CERTIFICATE-----"
    static let certificate = "-----BEGIN CERTIFICATE-----\nMIICOzCCAZygAwIBAgIU\nCWcblb45FIxAmO4hE00Q5wnwXNxNnDHXWiuGdSNmIBjpb9nM5wehQlbkx7HzvPk=\n-----END CERTIFICATE-----"
    static let privateKey = "-----BEGIN EC PRIVATE KEY-----\nMIHcAgEBBEIB9Nn7M28VUVW6g5Il\nSZ85uBSl0wyhgOKaHGHnP652CeV/LGwCSh75NTnjvg==\n-----END EC PRIVATE KEY-----"
    static let serial = "317328055225536560033788492808123425026102524390"

    static var credentialJSON: String {
        let data: VaultValue = .object([
            "ca_chain": .list([.string(intermediate), .string(root)]),
            "certificate": .string(certificate),
            "private_key": .string(privateKey),
            "serial_number": .string(serial),
        ])
        return #"{"request_id":"8a0b3d2e","lease_id":"","renewable":false,"lease_duration":0,"data":"# + data.compactJSON
            + #","wrap_info":null,"warnings":null,"auth":null}"#
    }
}
