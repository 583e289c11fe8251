import ArgumentParser
import Foundation
import KMIP

/// `strongroom bench`: throughput figures, measured on this machine (never in tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Strongroom's performance on this machine.",
        subcommands: [Codec.self]
    )

    struct Codec: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "TTLV decode and encode rates (typed model) of a Get request and a Get response with an AES-256 key, on one core.")

        @Option(help: "Seconds to run each measurement.")
        var seconds: Double = 2

        func run() throws {
            let request = try RequestMessage(ttlv: try KMIPXML.decode(CodecSamples.getRequest).encoded())
            let response = try ResponseMessage(ttlv: try KMIPXML.decode(CodecSamples.getResponse).encoded())
            let requestBytes = request.encoded()
            let responseBytes = response.encoded()
            print("Get request: \(requestBytes.count) bytes; Get response (AES-256 key): \(responseBytes.count) bytes")
            report("decode Get request", measure { _ = try! RequestMessage(ttlv: requestBytes) })
            report("encode Get request", measure { _ = request.encoded() })
            report("decode Get response", measure { _ = try! ResponseMessage(ttlv: responseBytes) })
            report("encode Get response", measure { _ = response.encoded() })
        }

        /// Operations per second of `body`, run in batches until `seconds` have passed.
        func measure(_ body: () -> Void) -> Double {
            for _ in 0..<1_000 { body() }
            let clock = ContinuousClock()
            let start = clock.now
            var count = 0
            while true {
                for _ in 0..<1_000 { body() }
                count += 1_000
                let elapsed = clock.now - start
                if elapsed >= .milliseconds(Int(seconds * 1_000)) {
                    let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    return Double(count) / s
                }
            }
        }

        func report(_ name: String, _ rate: Double) {
            let padded = name.padding(toLength: 22, withPad: " ", startingAt: 0)
            print("\(padded) \(Int(rate).formatted()) ops/s  (\(String(format: "%.2f", 1e6 / rate)) µs/op)")
        }
    }
}

enum CodecSamples {
    static let getRequest = """
    <RequestMessage>
      <RequestHeader>
        <ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="4"/></ProtocolVersion>
        <BatchCount type="Integer" value="1"/>
      </RequestHeader>
      <BatchItem>
        <Operation type="Enumeration" value="Get"/>
        <RequestPayload><UniqueIdentifier type="TextString" value="Hk3pQ9zR2mV7xL1cN8bT4wY6sJ0aF5dE"/></RequestPayload>
      </BatchItem>
    </RequestMessage>
    """

    static let getResponse = """
    <ResponseMessage>
      <ResponseHeader>
        <ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="4"/></ProtocolVersion>
        <TimeStamp type="DateTime" value="2026-11-29T10:00:00+00:00"/>
        <BatchCount type="Integer" value="1"/>
      </ResponseHeader>
      <BatchItem>
        <Operation type="Enumeration" value="Get"/>
        <ResultStatus type="Enumeration" value="Success"/>
        <ResponsePayload>
          <ObjectType type="Enumeration" value="SymmetricKey"/>
          <UniqueIdentifier type="TextString" value="Hk3pQ9zR2mV7xL1cN8bT4wY6sJ0aF5dE"/>
          <SymmetricKey>
            <KeyBlock>
              <KeyFormatType type="Enumeration" value="Raw"/>
              <KeyValue>
                <KeyMaterial type="ByteString" value="000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"/>
              </KeyValue>
              <CryptographicAlgorithm type="Enumeration" value="AES"/>
              <CryptographicLength type="Integer" value="256"/>
            </KeyBlock>
          </SymmetricKey>
        </ResponsePayload>
      </BatchItem>
    </ResponseMessage>
    """
}
