import Foundation
import XCTest

/// The `strongroom ttlv` contract, run as the built executable.
final class TTLVCommandTests: XCTestCase {
    static var binary: URL {
        // The executable is built next to the test bundle (`swift build --build-tests` builds both).
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("strongroom")
    }

    struct Result { var status: Int32; var stdout: Data; var stderr: String }

    func run(_ args: [String], stdin: Data = Data()) throws -> Result {
        var url = Self.binary
        if !FileManager.default.fileExists(atPath: url.path) {
            // `swift test` on some hosts puts the bundle one level deeper.
            url = url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("strongroom")
        }
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("strongroom executable not found beside the tests (\(url.path)); run `swift build --build-tests`")
        }
        let p = Process()
        p.executableURL = url
        p.arguments = args
        let input = Pipe(), output = Pipe(), error = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = error
        try p.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self))
    }

    let request = """
    <RequestMessage>
      <RequestHeader>
        <ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="2"/></ProtocolVersion>
        <BatchCount type="Integer" value="1"/>
      </RequestHeader>
      <BatchItem>
        <Operation type="Enumeration" value="Get"/>
        <RequestPayload><UniqueIdentifier type="TextString" value="key-1"/></RequestPayload>
      </BatchItem>
    </RequestMessage>
    """

    func testEncodeThenDecodeInEveryFormat() throws {
        let hex = try run(["ttlv", "encode", "--from", "xml", "--hex"], stdin: Data(request.utf8))
        XCTAssertEqual(hex.status, 0, hex.stderr)
        let hexText = String(decoding: hex.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(hexText.hasPrefix("420078010000"), hexText)

        let binary = try run(["ttlv", "encode", "--from", "xml"], stdin: Data(request.utf8))
        XCTAssertEqual(binary.stdout.map { String(format: "%02X", $0) }.joined(), hexText, "binary and hex agree")

        let text = try run(["ttlv", "decode", "--hex"], stdin: Data(hexText.utf8))
        XCTAssertEqual(text.status, 0, text.stderr)
        let tree = String(decoding: text.stdout, as: UTF8.self)
        XCTAssertTrue(tree.contains("  BatchItem (Structure)\n    Operation (Enumeration): Get\n"), tree)
        XCTAssertTrue(tree.contains("UniqueIdentifier (TextString): \"key-1\""), tree)

        let json = try run(["ttlv", "decode", "--to", "json"], stdin: binary.stdout)
        XCTAssertEqual(json.status, 0, json.stderr)
        let back = try run(["ttlv", "encode", "--from", "json", "--hex"], stdin: json.stdout)
        XCTAssertEqual(String(decoding: back.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), hexText)

        let xml = try run(["ttlv", "decode", "--to", "xml"], stdin: binary.stdout)
        let again = try run(["ttlv", "encode", "--from", "xml", "--hex"], stdin: xml.stdout)
        XCTAssertEqual(String(decoding: again.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), hexText)
    }

    func testReadsAFileArgument() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("strongroom-\(UUID().uuidString).xml")
        try Data(request.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try run(["ttlv", "encode", "--from", "xml", "--hex", file.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.isEmpty)
    }

    func testErrorsGoToStderrWithNonZeroExit() throws {
        let truncated = try run(["ttlv", "decode", "--hex"], stdin: Data("42007801000000900000".utf8))
        XCTAssertNotEqual(truncated.status, 0)
        XCTAssertTrue(truncated.stdout.isEmpty)
        XCTAssertTrue(truncated.stderr.contains("at byte"), truncated.stderr)

        let notHex = try run(["ttlv", "decode", "--hex"], stdin: Data("zz".utf8))
        XCTAssertNotEqual(notHex.status, 0)
        XCTAssertTrue(notHex.stderr.contains("hex"), notHex.stderr)

        let badXML = try run(["ttlv", "encode", "--from", "xml"], stdin: Data("<RequestMessage><Bogus/></RequestMessage>".utf8))
        XCTAssertNotEqual(badXML.status, 0)
        XCTAssertTrue(badXML.stderr.contains("Bogus"), badXML.stderr)

        // Well-formed TTLV that is not a valid message: the typed model rejects it.
        let notAMessage = try run(["ttlv", "encode", "--from", "xml"], stdin: Data("<BatchCount type=\"Integer\" value=\"1\"/>".utf8))
        XCTAssertNotEqual(notAMessage.status, 0)
        XCTAssertTrue(notAMessage.stderr.contains("RequestMessage"), notAMessage.stderr)
    }
}
