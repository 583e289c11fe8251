import ArgumentParser
import Foundation
import KMIP

/// `strongroom ttlv`: read and convert captured KMIP messages.
struct TTLVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttlv",
        abstract: "Inspect and convert KMIP TTLV messages.",
        subcommands: [Decode.self, Encode.self]
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, xml, json }
    enum InputFormat: String, ExpressibleByArgument, CaseIterable { case xml, json }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode one binary TTLV message and print it as text, XML or JSON.")

        @Flag(help: "The input is hex text (whitespace ignored), not binary.")
        var hex = false
        @Option(name: .customLong("to"), help: "Output format: text, xml or json.")
        var format: OutputFormat = .text
        @Argument(help: "The file to read; standard input when absent.")
        var file: String?

        func run() throws {
            var bytes = try readInput(file)
            if hex {
                let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
                guard let decoded = ByteString(hex: text) else { throw CLIError("input is not valid hex") }
                bytes = decoded.bytes
            }
            let item = try TTLV(decoding: bytes)
            switch format {
            case .text: print(TextFormat.format(item), terminator: "")
            case .xml: print(KMIPXML.encode(item), terminator: "")
            case .json: print(KMIPJSON.encode(item), terminator: "")
            }
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Encode one RequestMessage or ResponseMessage from the KMIP XML or JSON encoding to TTLV.")

        @Option(name: .customLong("from"), help: "Input format: xml or json.")
        var format: InputFormat
        @Flag(help: "Write hex text instead of binary.")
        var hex = false
        @Argument(help: "The file to read; standard input when absent.")
        var file: String?

        func run() throws {
            let text = String(decoding: try readInput(file), as: UTF8.self)
            let item = format == .xml ? try KMIPXML.decode(text) : try KMIPJSON.decode(text)
            let bytes: [UInt8]
            switch item.tag {
            // Through the typed model, so the output is a valid message, not just well-formed TTLV.
            case .requestMessage: bytes = try RequestMessage(ttlv: item.encoded()).encoded()
            case .responseMessage: bytes = try ResponseMessage(ttlv: item.encoded()).encoded()
            default: throw CLIError("expected a RequestMessage or ResponseMessage, found \(item.tag.xmlName)")
            }
            if hex {
                print(ByteString(bytes).hex.uppercased())
            } else {
                FileHandle.standardOutput.write(Data(bytes))
            }
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func readInput(_ file: String?) throws -> [UInt8] {
    if let file {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        return [UInt8](data)
    }
    return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
}
