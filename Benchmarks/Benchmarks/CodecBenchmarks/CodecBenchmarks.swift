import Benchmark
import KMIP

// TTLV decode and encode, through the typed model, of a KMIP 1.4 Get request and of a Get response
// carrying a 256-bit AES key (Raw), single-threaded: the work every Get does at each end.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .memoryLeaked], maxDuration: .seconds(2))
    // Built once: the samples are fixed and valid (a failure here is a broken sample).
    let request = try! RequestMessage(ttlv: try! KMIPXML.decode(CodecSamples.getRequest).encoded())
    let response = try! ResponseMessage(ttlv: try! KMIPXML.decode(CodecSamples.getResponse).encoded())
    let requestBytes = request.encoded()
    let responseBytes = response.encoded()

    Benchmark("decode Get request") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try RequestMessage(ttlv: requestBytes)) }
    }
    Benchmark("encode Get request") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(request.encoded()) }
    }
    Benchmark("decode Get response (AES-256 key)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try ResponseMessage(ttlv: responseBytes)) }
    }
    Benchmark("encode Get response (AES-256 key)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(response.encoded()) }
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
