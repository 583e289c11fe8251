import ArgumentParser
import Foundation
import KMIP

extension BenchCommand {
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
            Measure.report("decode Get request", Measure.rate(seconds: seconds) { _ = try! RequestMessage(ttlv: requestBytes) })
            Measure.report("encode Get request", Measure.rate(seconds: seconds) { _ = request.encoded() })
            Measure.report("decode Get response", Measure.rate(seconds: seconds) { _ = try! ResponseMessage(ttlv: responseBytes) })
            Measure.report("encode Get response", Measure.rate(seconds: seconds) { _ = response.encoded() })
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
