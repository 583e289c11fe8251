import ArgumentParser
import Foundation
import KMIP
import KMIPClient

/// Options shared by `strongroom kmip encrypt` and `decrypt`: the Cryptographic Parameters, the
/// IV and additional data, and where the data comes from and goes to.
struct KMIPCipherOptions: ParsableArguments {
    @Option(name: .customLong("mode", withSingleDash: true), help: "Block cipher mode: ecb, cbc, cfb, ofb, ctr or gcm (omit all parameters for the key's own, else AES-CBC-PKCS5).")
    var mode: String?
    @Option(name: .customLong("padding", withSingleDash: true), help: "Padding: none, pkcs5; for RSA keys oaep or pkcs1v15.")
    var padding: String?
    @Option(name: .customLong("hash", withSingleDash: true), help: "OAEP hash: sha1, sha224, sha256, sha384, sha512.")
    var hash: String?
    @Option(name: .customLong("tag-length", withSingleDash: true), help: "GCM tag length in bytes (default 16).")
    var tagLength: Int32?
    @Option(name: .customLong("iv", withSingleDash: true), help: "IV/Counter/Nonce in hex.")
    var iv: String?
    @Option(name: .customLong("aad", withSingleDash: true), help: "GCM additional authenticated data in hex.")
    var aad: String?
    @Option(name: .customLong("hex", withSingleDash: true), help: "The input in hex (else -in).")
    var hex: String?
    @Option(name: .customLong("in", withSingleDash: true), help: "A file holding the raw input; - or nothing for standard input.")
    var input: String?
    @Option(name: .customLong("out", withSingleDash: true), help: "Write the raw output to this file instead of printing it in hex.")
    var output: String?

    static let modes: [String: BlockCipherMode] = ["ecb": .ecb, "cbc": .cbc, "cfb": .cfb, "ofb": .ofb, "ctr": .ctr, "gcm": .gcm]
    static let paddings: [String: PaddingMethod] = ["none": .none, "pkcs5": .pkcs5, "oaep": .oaep, "pkcs1v15": .pkcs1V15]
    static let hashes: [String: HashingAlgorithm] = ["sha1": .sha1, "sha224": .sha224, "sha256": .sha256, "sha384": .sha384, "sha512": .sha512]

    func parameters(randomIV: Bool) throws -> CryptographicParameters? {
        guard mode != nil || padding != nil || hash != nil || tagLength != nil || randomIV else { return nil }
        var p = CryptographicParameters()
        p.blockCipherMode = try mode.map { try KMIPNames.lookup(Self.modes, $0, option: "-mode") }
        p.paddingMethod = try padding.map { try KMIPNames.lookup(Self.paddings, $0, option: "-padding") }
        p.hashingAlgorithm = try hash.map { try KMIPNames.lookup(Self.hashes, $0, option: "-hash") }
        p.tagLength = tagLength
        if randomIV { p.randomIV = true }
        return p
    }

    static func bytes(_ text: String?, option: String) throws -> ByteString? {
        guard let text else { return nil }
        guard let b = ByteString(hex: text.filter { !$0.isWhitespace }) else { throw CLIError("\(option) is not valid hex") }
        return b
    }

    func data() throws -> ByteString {
        if let hex {
            guard input == nil else { throw CLIError("give -hex or -in, not both") }
            return try Self.bytes(hex, option: "-hex")!
        }
        return ByteString(try readInput(input == "-" ? nil : input))
    }

    func emit(_ data: ByteString?) throws {
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(data?.bytes ?? [])) else {
                throw CLIError("cannot write \(output)")
            }
        } else {
            print("Data (hex):               \(data?.hex ?? "")")
        }
    }
}

struct KMIPEncrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt data with a key on the server; prints the ciphertext, and the IV and tag the server chose.")
    @OptionGroup var connection: KMIPConnectionOptions
    @OptionGroup var cipher: KMIPCipherOptions
    @Flag(name: .customLong("random-iv", withSingleDash: true), help: "Ask the server to generate the IV (it is printed).")
    var randomIV = false
    @Argument(help: "Unique Identifier of the key.")
    var uniqueIdentifier: String

    func run() async throws {
        var request = EncryptRequestPayload()
        request.uniqueIdentifier = uniqueIdentifier
        request.cryptographicParameters = try cipher.parameters(randomIV: randomIV)
        request.ivCounterNonce = try KMIPCipherOptions.bytes(cipher.iv, option: "-iv")
        request.authenticatedEncryptionAdditionalData = try KMIPCipherOptions.bytes(cipher.aad, option: "-aad")
        request.data = try cipher.data()
        let response = try await connection.run { try await $0.call(.encrypt, request, as: EncryptResponsePayload.self) }
        print("Unique Identifier:        \(response.uniqueIdentifier)")
        if let iv = response.ivCounterNonce { print("IV/Counter/Nonce (hex):   \(iv.hex)") }
        if let tag = response.authenticatedEncryptionTag { print("Tag (hex):                \(tag.hex)") }
        try cipher.emit(response.data)
    }
}

struct KMIPDecrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt data with a key on the server; prints the plaintext in hex (or writes it with -out).")
    @OptionGroup var connection: KMIPConnectionOptions
    @OptionGroup var cipher: KMIPCipherOptions
    @Option(name: .customLong("tag", withSingleDash: true), help: "GCM authentication tag in hex.")
    var tag: String?
    @Argument(help: "Unique Identifier of the key.")
    var uniqueIdentifier: String

    func run() async throws {
        var request = DecryptRequestPayload()
        request.uniqueIdentifier = uniqueIdentifier
        request.cryptographicParameters = try cipher.parameters(randomIV: false)
        request.ivCounterNonce = try KMIPCipherOptions.bytes(cipher.iv, option: "-iv")
        request.authenticatedEncryptionAdditionalData = try KMIPCipherOptions.bytes(cipher.aad, option: "-aad")
        request.authenticatedEncryptionTag = try KMIPCipherOptions.bytes(tag, option: "-tag")
        request.data = try cipher.data()
        let response = try await connection.run { try await $0.call(.decrypt, request, as: DecryptResponsePayload.self) }
        if cipher.output == nil { print("Unique Identifier:        \(response.uniqueIdentifier)") }
        try cipher.emit(response.data)
    }
}
