import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import KMIPEngine

/// `strongroom kmip …`: talk KMIP to a server over mutual TLS.
struct KMIPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmip",
        abstract: "Run KMIP operations against a KMIP server (mutual TLS).",
        subcommands: [
            KMIPCreate.self, KMIPRegister.self, KMIPGet.self, KMIPGetAttributes.self, KMIPLocate.self,
            KMIPActivate.self, KMIPRevoke.self, KMIPDestroy.self,
            KMIPEncrypt.self, KMIPDecrypt.self,
        ])
}

/// `-address`, `-ca`, `-cert`, `-key`: where to connect and with which credential.
struct KMIPConnectionOptions: ParsableArguments {
    @Option(name: .customLong("address", withSingleDash: true), help: "KMIP server host:port.")
    var address = "127.0.0.1:5696"

    @Option(name: .customLong("ca", withSingleDash: true), help: "PEM file of the CA certificates to trust.")
    var ca = "./strongroom-data/ca.pem"

    @Option(name: .customLong("cert", withSingleDash: true), help: "PEM file of the client certificate (and its chain).")
    var cert = "./strongroom-data/client.pem"

    @Option(name: .customLong("key", withSingleDash: true), help: "PEM file of the client private key.")
    var key = "./strongroom-data/client-key.pem"

    @Option(name: .customLong("server-name", withSingleDash: true),
            help: "Verify the server certificate for this name (default: the -address host).")
    var serverName: String?

    @Option(name: .customLong("kmip-version", withSingleDash: true), help: "Protocol version: 1.0 to 1.4.")
    var kmipVersion = "1.4"

    @Option(name: .customLong("transport", withSingleDash: true),
            help: "ttlv (the KMIP port) or https (KMIP over HTTPS: the mount's https_listen_addrs).")
    var transport = "ttlv"

    @Option(name: .customLong("encoding", withSingleDash: true), help: "-transport https: body encoding, ttlv, json or xml.")
    var encoding = "ttlv"

    func hostPort() throws -> (String, Int) {
        do {
            let parsed = try HostPort(parsing: address)
            return (parsed.host, parsed.port)
        } catch {
            throw CLIError("-address must be host:port, not \"\(address)\"")
        }
    }

    func connect() async throws -> KMIPClient {
        let (host, port) = try hostPort()
        var configuration = try KMIPClientConfiguration.files(host: host, port: port, caFile: ca, certFile: cert, keyFile: key)
        configuration.serverHostname = serverName ?? host
        let versions: [String: ProtocolVersion] = ["1.0": .v1_0, "1.1": .v1_1, "1.2": .v1_2, "1.3": .v1_3, "1.4": .v1_4]
        guard let version = versions[kmipVersion] else { throw CLIError("-kmip-version must be 1.0, 1.1, 1.2, 1.3 or 1.4") }
        configuration.protocolVersion = version
        try TransportFlags.apply(transport: transport, encoding: encoding, to: &configuration)
        do {
            return try await KMIPClient.connect(configuration)
        } catch {
            throw CLIError("cannot connect to \(address): \(error)")
        }
    }

    /// Connects, runs `body`, closes; KMIP failures become `Error: result reason: …; additional message: …`.
    func run<T: Sendable>(_ body: (KMIPClient) async throws -> T) async throws -> T {
        let client = try await connect()
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch let error as KMIPError {
            await client.close()
            // Servers (ours included) often put the whole `result reason: …; additional message: …` text in the message.
            throw CLIError(error.message.hasPrefix("result reason:") ? error.message : error.description)
        } catch {
            await client.close()
            throw CLIError("\(error)")
        }
    }
}

/// Names accepted for Object Types and algorithms on the command line.
enum KMIPNames {
    static let objectTypes: [String: ObjectType] = [
        "certificate": .certificate, "symmetric-key": .symmetricKey, "public-key": .publicKey,
        "private-key": .privateKey, "secret-data": .secretData, "opaque-object": .opaqueObject,
    ]
    static let algorithms: [String: CryptographicAlgorithm] = ["aes": .aes, "3des": .tripleDES, "tdes": .tripleDES]
    static let revocationReasons: [String: RevocationReasonCode] = [
        "unspecified": .unspecified, "key-compromise": .keyCompromise, "ca-compromise": .caCompromise,
        "affiliation-changed": .affiliationChanged, "superseded": .superseded,
        "cessation-of-operation": .cessationOfOperation, "privilege-withdrawn": .privilegeWithdrawn,
    ]
    static let keyFormats: [String: KeyFormatType] = [
        "raw": .raw, "opaque": .opaque, "pkcs1": .pkcs1, "pkcs8": .pkcs8, "x509": .x509,
        "transparent-symmetric": .transparentSymmetricKey,
    ]

    static func lookup<T>(_ table: [String: T], _ text: String, option: String) throws -> T {
        guard let value = table[text.lowercased()] else {
            throw CLIError("\(option) must be one of \(table.keys.sorted().joined(separator: ", ")), not \"\(text)\"")
        }
        return value
    }
}

struct KMIPCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a symmetric key; prints its Unique Identifier.")
    @OptionGroup var connection: KMIPConnectionOptions
    @Option(name: .customLong("algorithm", withSingleDash: true), help: "aes or 3des.")
    var algorithm = "aes"
    @Option(name: .customLong("length", withSingleDash: true), help: "Key length in bits.")
    var length: Int32 = 256
    @Option(name: .customLong("name", withSingleDash: true), help: "Name attribute.")
    var name: String?

    func run() async throws {
        let algorithm = try KMIPNames.lookup(KMIPNames.algorithms, self.algorithm, option: "-algorithm")
        var attributes = [
            Attribute(algorithm),
            Attribute(name: "Cryptographic Length", value: .integer(length)),
            Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
        ]
        if let name { attributes.append(Attribute(Name(name))) }
        let id = try await connection.run { try await $0.create(objectType: .symmetricKey, attributes: attributes) }
        print(id)
    }
}

struct KMIPRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Register a secret data or symmetric key given in hex; prints its Unique Identifier.")
    @OptionGroup var connection: KMIPConnectionOptions
    @Option(name: .customLong("type", withSingleDash: true), help: "secret-data or symmetric-key.")
    var type = "secret-data"
    @Option(name: .customLong("hex", withSingleDash: true), help: "The value in hex (visible to other local users: prefer -hex-file).")
    var hex: String?
    @Option(name: .customLong("hex-file", withSingleDash: true), help: "A file holding the value in hex; - for standard input.")
    var hexFile: String?
    @Option(name: .customLong("algorithm", withSingleDash: true), help: "Symmetric key algorithm: aes or 3des.")
    var algorithm = "aes"
    @Option(name: .customLong("secret-data-type", withSingleDash: true), help: "Secret data type: password or seed.")
    var secretDataType = "password"
    @Option(name: .customLong("name", withSingleDash: true), help: "Name attribute.")
    var name: String?

    func readValue() throws -> [UInt8] {
        let text: String
        switch (hex, hexFile) {
        case (let h?, nil): text = h
        case (nil, let f?):
            if f == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: f) else { throw CLIError("cannot read \(f)") }
                text = String(decoding: data, as: UTF8.self)
            }
        default: throw CLIError("give exactly one of -hex or -hex-file")
        }
        guard let bytes = ByteString(hex: text.filter { !$0.isWhitespace }), bytes.count > 0 else {
            throw CLIError("the value is not valid, non-empty hex")
        }
        return bytes.bytes
    }

    func run() async throws {
        let value = try readValue()
        let objectType = try KMIPNames.lookup(["secret-data": ObjectType.secretData, "symmetric-key": .symmetricKey], type, option: "-type")
        var attributes: [Attribute] = []
        let object: ManagedObject
        if objectType == .symmetricKey {
            let algorithm = try KMIPNames.lookup(KMIPNames.algorithms, self.algorithm, option: "-algorithm")
            let bits = Int32(value.count * 8)
            object = .symmetricKey(SymmetricKey(KeyBlock(
                keyFormatType: .raw, keyMaterial: .byteString(ByteString(value)),
                cryptographicAlgorithm: algorithm, cryptographicLength: bits)))
            attributes += [
                Attribute(algorithm),
                Attribute(name: "Cryptographic Length", value: .integer(bits)),
                Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
            ]
        } else {
            let dataType = try KMIPNames.lookup(["password": SecretDataType.password, "seed": .seed], secretDataType, option: "-secret-data-type")
            object = .secretData(SecretData(dataType, KeyBlock(keyFormatType: .opaque, keyMaterial: .byteString(ByteString(value)))))
        }
        if let name { attributes.append(Attribute(Name(name))) }
        let finalAttributes = attributes
        let id = try await connection.run { try await $0.register(object, objectType: objectType, attributes: finalAttributes) }
        print(id)
    }
}

struct KMIPGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Get an object: prints its type and its key material in hex.",
        discussion: "The key material is printed in the clear: it is your own key, so treat the output as a secret.")
    @OptionGroup var connection: KMIPConnectionOptions
    @Option(name: .customLong("key-format", withSingleDash: true), help: "Key Format Type to ask for: raw, opaque, pkcs1, pkcs8, x509, transparent-symmetric.")
    var keyFormat: String?
    @Argument(help: "Unique Identifier.")
    var uniqueIdentifier: String

    func run() async throws {
        let format = try keyFormat.map { try KMIPNames.lookup(KMIPNames.keyFormats, $0, option: "-key-format") }
        let response = try await connection.run { try await $0.get(uniqueIdentifier, keyFormatType: format) }
        print("Unique Identifier:        \(response.uniqueIdentifier)")
        print("Object Type:              \(response.objectType.name ?? response.objectType.description)")
        guard let object = response.object else { return }
        let block: KeyBlock?
        switch object {
        case .symmetricKey(let k): block = k.keyBlock
        case .publicKey(let k): block = k.keyBlock
        case .privateKey(let k): block = k.keyBlock
        case .secretData(let s):
            print("Secret Data Type:         \(s.secretDataType.name ?? s.secretDataType.description)")
            block = s.keyBlock
        case .opaqueObject(let o):
            print("Opaque Data (hex):        \(o.opaqueDataValue.hex)")
            block = nil
        case .certificate(let c):
            print("Certificate (hex DER):    \(c.certificateValue.hex)")
            block = nil
        default:
            block = nil
        }
        guard let block else { return }
        print("Key Format Type:          \(block.keyFormatType.name ?? block.keyFormatType.description)")
        if let a = block.cryptographicAlgorithm { print("Cryptographic Algorithm:  \(a.name ?? a.description)") }
        if let l = block.cryptographicLength { print("Cryptographic Length:     \(l)") }
        guard let value = block.plainKeyValue else {
            print("Key Material:             (wrapped or absent)")
            return
        }
        switch value.keyMaterial {
        case .byteString(let b):
            print("Key Material (hex):       \(b.hex)")
        case .transparentSymmetricKey(let t):
            print("Key Material (hex):       \(t.key.hex)")
        default:
            print("Key Material:             a transparent structure (ask for -key-format pkcs8, pkcs1 or x509)")
            return
        }
        print("(This is your key in the clear: keep this output secret.)")
    }
}

struct KMIPGetAttributes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get-attributes", abstract: "Print an object's attributes.")
    @OptionGroup var connection: KMIPConnectionOptions
    @Option(name: .customLong("attribute", withSingleDash: true), help: "An attribute name to ask for (repeatable; default all).")
    var attributeNames: [String] = []
    @Argument(help: "Unique Identifier.")
    var uniqueIdentifier: String

    func run() async throws {
        var payload = GetAttributesRequestPayload()
        payload.uniqueIdentifier = uniqueIdentifier
        payload.attributeNames = attributeNames
        let finalPayload = payload
        let response = try await connection.run {
            try await $0.call(.getAttributes, finalPayload, as: GetAttributesResponsePayload.self)
        }
        print("Unique Identifier: \(response.uniqueIdentifier)")
        for attribute in response.attributes { print(Self.render(attribute), terminator: "") }
    }

    /// `Name: value` for a primitive value; `Name:` then the indented fields for a structure.
    static func render(_ attribute: Attribute) -> String {
        let label = attribute.attributeName + (attribute.attributeIndex.map { $0 > 0 ? "[\($0)]" : "" } ?? "")
        let lines = TextFormat.format(attribute.ttlv(tag: .attribute)).split(separator: "\n", omittingEmptySubsequences: true)
        guard let valueIndex = lines.firstIndex(where: { $0.hasPrefix("  AttributeValue") }) else { return "\(label):\n" }
        let first = lines[valueIndex]
        if let colon = first.range(of: "): ") {
            return "\(label): \(first[colon.upperBound...])\n"
        }
        var out = "\(label):\n"
        for line in lines[(valueIndex + 1)...] { out += "  " + line.dropFirst(2) + "\n" }
        return out
    }
}

struct KMIPLocate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "locate", abstract: "Find objects; prints Unique Identifiers, newest first.")
    @OptionGroup var connection: KMIPConnectionOptions
    @Option(name: .customLong("name", withSingleDash: true), help: "Name attribute to match.")
    var name: String?
    @Option(name: .customLong("object-type", withSingleDash: true), help: "symmetric-key, secret-data, public-key, private-key, certificate, opaque-object.")
    var objectType: String?
    @Option(name: .customLong("max", withSingleDash: true), help: "Maximum Items.")
    var maximumItems: Int32?

    func run() async throws {
        var attributes: [Attribute] = []
        if let name { attributes.append(Attribute(Name(name))) }
        if let objectType { attributes.append(Attribute(try KMIPNames.lookup(KMIPNames.objectTypes, objectType, option: "-object-type"))) }
        let finalAttributes = attributes
        let ids = try await connection.run { try await $0.locate(attributes: finalAttributes, maximumItems: maximumItems) }
        for id in ids { print(id) }
    }
}

struct KMIPActivate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "activate", abstract: "Activate an object.")
    @OptionGroup var connection: KMIPConnectionOptions
    @Argument(help: "Unique Identifier.")
    var uniqueIdentifier: String

    func run() async throws {
        print(try await connection.run { try await $0.activate(uniqueIdentifier) })
    }
}

struct KMIPRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an object.")
    @OptionGroup var connection: KMIPConnectionOptions
    @Option(name: .customLong("reason", withSingleDash: true),
            help: "unspecified, key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation, privilege-withdrawn.")
    var reason = "cessation-of-operation"
    @Option(name: .customLong("message", withSingleDash: true), help: "Revocation message.")
    var message: String?
    @Argument(help: "Unique Identifier.")
    var uniqueIdentifier: String

    func run() async throws {
        let code = try KMIPNames.lookup(KMIPNames.revocationReasons, reason, option: "-reason")
        print(try await connection.run { try await $0.revoke(uniqueIdentifier, reason: code, message: message) })
    }
}

struct KMIPDestroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "destroy", abstract: "Destroy an object (revoke an active one first).")
    @OptionGroup var connection: KMIPConnectionOptions
    @Argument(help: "Unique Identifier.")
    var uniqueIdentifier: String

    func run() async throws {
        print(try await connection.run { try await $0.destroy(uniqueIdentifier) })
    }
}

/// `-transport` and `-encoding`, shared by `strongroom kmip` and `strongroom bench kmip`.
enum TransportFlags {
    static func apply(transport: String, encoding: String, to configuration: inout KMIPClientConfiguration) throws {
        switch transport {
        case "ttlv":
            guard encoding == "ttlv" else { throw CLIError("-encoding \(encoding) needs -transport https") }
        case "https":
            guard let chosen = MessageEncoding(rawValue: encoding) else { throw CLIError("-encoding must be ttlv, json or xml") }
            configuration.httpsEncoding = chosen
        default:
            throw CLIError("-transport must be ttlv or https")
        }
    }
}
