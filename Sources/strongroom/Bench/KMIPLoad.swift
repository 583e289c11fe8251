import ArgumentParser
import Foundation
import KMIP
import KMIPClient
import KMIPEngine

extension BenchCommand {
    /// `strongroom bench -address HOST:PORT -op get|create|locate|discover|encrypt|sign|mac -connections N -duration S`:
    /// a KMIP load generator on KMIPClient (the default subcommand of `bench`).
    struct KMIPLoad: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kmip",
            abstract: "KMIP load against a running server: throughput and latency percentiles.",
            discussion: """
                N connections each send one request at a time for S seconds. get: Get of one AES-256 key \
                created first. create: Create of an AES-256 key. locate: Locate by Name (one object carries \
                the name; -prefill N first creates N other named objects, 100 Create items per request). \
                discover: Discover Versions. encrypt: AES-256-GCM Encrypt of -size bytes (16-byte tag, the \
                server generates the IV). sign: RSA-2048 Sign of -size bytes, SHA-256 PKCS#1 v1.5. mac: \
                HMAC-SHA256 MAC of -size bytes. The keys are created and activated first. Latency is measured per operation (with -new-connection-per-op \
                it includes the TCP connect and the mutual-TLS handshake).
                """)

        enum Op: String, ExpressibleByArgument, CaseIterable, Sendable {
            case get, create, locate, discover, encrypt, sign, mac
        }

        @Option(name: .customLong("address", withSingleDash: true), help: "The server's KMIP HOST:PORT.")
        var address = "127.0.0.1:5696"

        @Option(name: .customLong("ca", withSingleDash: true), help: "CA certificate(s) (PEM) to trust.")
        var ca = "./strongroom-data/ca.pem"

        @Option(name: .customLong("cert", withSingleDash: true), help: "Client certificate (PEM).")
        var cert = "./strongroom-data/client.pem"

        @Option(name: .customLong("key", withSingleDash: true), help: "Client private key (PEM).")
        var key = "./strongroom-data/client-key.pem"

        @Option(name: .customLong("op", withSingleDash: true), help: "get, create, locate, discover, encrypt, sign or mac.")
        var op: Op = .get

        @Option(name: .customLong("connections", withSingleDash: true), help: "Concurrent connections.")
        var connections = 1

        @Option(name: .customLong("duration", withSingleDash: true), help: "Seconds to measure.")
        var duration: Double = 10

        @Option(name: .customLong("warmup", withSingleDash: true), help: "Seconds of unmeasured load first.")
        var warmup: Double = 1

        @Flag(name: .customLong("new-connection-per-op", withSingleDash: true),
              help: "Open (and close) a new mutual-TLS connection for every operation.")
        var newConnectionPerOp = false

        @Option(name: .customLong("prefill", withSingleDash: true),
                help: "locate: first create this many other named objects.")
        var prefill = 0

        @Option(name: .customLong("prefill-batch", withSingleDash: true), help: "Create items per prefill request.")
        var prefillBatch = 100

        @Option(name: .customLong("name", withSingleDash: true), help: "locate: the Name looked up.")
        var name = "strongroom-bench-locate-target"

        @Option(name: .customLong("size", withSingleDash: true), help: "encrypt, sign, mac: bytes of data per operation.")
        var size = 64

        @Option(name: .customLong("flood", withSingleDash: true),
                help: "Noisy neighbour: connections flooding RSA-4096 Create Key Pair (batches of 4) during the measured run.")
        var flood = 0

        @Option(name: .customLong("flood-cert", withSingleDash: true), help: "-flood: the neighbour's certificate (default: -cert).")
        var floodCert: String?

        @Option(name: .customLong("flood-key", withSingleDash: true), help: "-flood: the neighbour's private key (default: -key).")
        var floodKey: String?

        @Option(name: .customLong("kmip-version", withSingleDash: true), help: "Protocol version: 1.0 … 1.4.")
        var kmipVersion = "1.4"

        @Option(name: .customLong("transport", withSingleDash: true), help: "ttlv (the KMIP port) or https (KMIP over HTTPS).")
        var transport = "ttlv"

        @Option(name: .customLong("encoding", withSingleDash: true), help: "-transport https: body encoding, ttlv, json or xml.")
        var encoding = "ttlv"

        func validate() throws {
            guard connections >= 1 else { throw ValidationError("-connections must be at least 1") }
            guard duration > 0 else { throw ValidationError("-duration must be positive") }
            guard warmup >= 0 else { throw ValidationError("-warmup must not be negative") }
            guard prefill >= 0 else { throw ValidationError("-prefill must not be negative") }
            guard (1...256).contains(prefillBatch) else { throw ValidationError("-prefill-batch must be 1…256") }
            guard size >= 0 else { throw ValidationError("-size must not be negative") }
            _ = try parsedAddress()
            _ = try parsedVersion()
        }

        private func parsedAddress() throws -> (host: String, port: Int) {
            // ":5696" means this machine.
            let text = address.hasPrefix(":") ? "127.0.0.1" + address : address
            guard let parsed = try? HostPort(parsing: text) else { throw ValidationError("-address must be HOST:PORT") }
            return (parsed.host, parsed.port)
        }

        private func parsedVersion() throws -> ProtocolVersion {
            let parts = kmipVersion.split(separator: ".").compactMap { Int32($0) }
            guard parts.count == 2, parts[0] == 1, (0...4).contains(parts[1]) else {
                throw ValidationError("-kmip-version must be 1.0, 1.1, 1.2, 1.3 or 1.4")
            }
            return ProtocolVersion(parts[0], parts[1])
        }

        func run() async throws {
            let (host, port) = try parsedAddress()
            var configuration = try KMIPClientConfiguration.files(
                host: host, port: port, caFile: ca, certFile: cert, keyFile: key)
            configuration.protocolVersion = try parsedVersion()
            try TransportFlags.apply(transport: transport, encoding: encoding, to: &configuration)
            let config = configuration

            if op == .locate, prefill > 0 {
                try await Self.prefill(count: prefill, batch: prefillBatch, connections: min(connections, 16),
                                       config: config)
            }
            // Setup, on one connection.
            let setup = try await KMIPClient.connect(config)
            let operation: LoadOperation
            switch op {
            case .get:
                let uid = try await setup.call(.create, LoadOperation.aes256Create(), as: CreateResponsePayload.self)
                    .uniqueIdentifier
                operation = .get(uid)
            case .create:
                operation = .create
            case .discover:
                operation = .discover
            case .locate:
                let found = try await setup.call(.locate, LoadOperation.locate(name), as: LocateResponsePayload.self)
                if found.uniqueIdentifiers.isEmpty {
                    var create = LoadOperation.aes256Create()
                    create.templateAttribute.attributes.append(Attribute(Name(name)))
                    _ = try await setup.call(.create, create, as: CreateResponsePayload.self)
                    print("created the object named \"\(name)\"")
                }
                operation = .locate(name)
            case .encrypt:
                let uid = try await setup.call(.create, LoadOperation.aes256Create(), as: CreateResponsePayload.self)
                    .uniqueIdentifier
                _ = try await setup.activate(uid)
                operation = .encrypt(LoadOperation.gcmEncrypt(uid, bytes: size))
            case .sign:
                let pair = try await setup.call(.createKeyPair, LoadOperation.rsa2048KeyPair(),
                                                as: CreateKeyPairResponsePayload.self)
                _ = try await setup.activate(pair.privateKeyUniqueIdentifier)
                operation = .sign(LoadOperation.rsaSign(pair.privateKeyUniqueIdentifier, bytes: size))
            case .mac:
                let uid = try await setup.call(.create, LoadOperation.hmacSHA256Create(), as: CreateResponsePayload.self)
                    .uniqueIdentifier
                _ = try await setup.activate(uid)
                operation = .mac(LoadOperation.hmacMAC(uid, bytes: size))
            }
            await setup.close()

            let mode = newConnectionPerOp ? "a new connection per operation" : "persistent"
            print("""
                \(op.rawValue)\(Self.sized.contains(op) ? " of \(size) B" : ""): \(connections) connection\(connections == 1 ? "" : "s") (\(mode)), \
                KMIP \(config.protocolVersion), \(host):\(port), \(warmup.formatted()) s warm-up, \
                \(duration.formatted()) s measured
                """)
            if warmup > 0 {
                _ = try await Self.load(operation, config: config, connections: connections, seconds: warmup,
                                        newConnectionPerOp: newConnectionPerOp)
            }
            var neighbour: Task<(generated: Int, refused: Int), Never>?
            if flood > 0 {
                var floodConfig = try KMIPClientConfiguration.files(host: host, port: port, caFile: ca,
                                                                    certFile: floodCert ?? cert, keyFile: floodKey ?? key)
                floodConfig.protocolVersion = config.protocolVersion
                floodConfig.httpsEncoding = config.httpsEncoding
                floodConfig.timeout = .seconds(600)
                let (connections, seconds, settings) = (flood, duration, floodConfig)
                neighbour = Task { await Self.floodKeyGeneration(config: settings, connections: connections, seconds: seconds) }
                try await Task.sleep(for: .milliseconds(500))   // the flood is under way before the clock starts
            }
            let result = try await Self.load(operation, config: config, connections: connections, seconds: duration,
                                             newConnectionPerOp: newConnectionPerOp)
            result.report()
            if let neighbour {
                let flooded = await neighbour.value
                print("neighbour   \(flood) connection\(flood == 1 ? "" : "s") of RSA-4096 Create Key Pair ×4: "
                      + "\(flooded.generated) key pairs generated, \(flooded.refused) refused")
            }
            if result.histogram.count == 0 { throw ExitCode.failure }
        }

        /// The noisy neighbour: batches of four RSA-4096 key pair generations on `connections`
        /// connections until `seconds` have passed; counts what was generated and refused.
        static func floodKeyGeneration(config: KMIPClientConfiguration, connections: Int,
                                       seconds: Double) async -> (generated: Int, refused: Int) {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000) + 500)
            return await withTaskGroup(of: (Int, Int).self) { group in
                for _ in 0..<connections {
                    group.addTask {
                        guard let client = try? await KMIPClient.connect(config) else { return (0, 0) }
                        var generated = 0, refused = 0
                        let items = (0..<4).map {
                            RequestBatchItem(operation: .createKeyPair, uniqueBatchItemID: [UInt8($0)],
                                             payload: LoadOperation.rsa2048KeyPair(bits: 4096))
                        }
                        var header = RequestHeader(protocolVersion: config.protocolVersion, batchCount: 4)
                        header.batchErrorContinuationOption = .continue
                        while ContinuousClock.now < deadline {
                            guard let answers = try? await client.batch(items, header: header) else { refused += 4; continue }
                            generated += answers.count { $0.resultStatus == .success }
                            refused += answers.count { $0.resultStatus != .success }
                        }
                        await client.close()
                        return (generated, refused)
                    }
                }
                var total = (generated: 0, refused: 0)
                for await (g, r) in group { total.generated += g; total.refused += r }
                return total
            }
        }

        /// The operations that take -size.
        static let sized: Set<Op> = [.encrypt, .sign, .mac]

        // MARK: Load

        struct Result: Sendable {
            var histogram = LatencyHistogram()
            var errors = 0
            var firstError: String?
            var seconds: Double = 0

            mutating func merge(_ other: Result) {
                histogram.merge(other.histogram)
                errors += other.errors
                if firstError == nil { firstError = other.firstError }
            }

            func report() {
                let ops = histogram.count
                let rate = seconds > 0 ? Double(ops) / seconds : 0
                print("operations  \(Int(ops).formatted()) in \(String(format: "%.2f", seconds)) s, \(errors) errors")
                print("throughput  \(Int(rate.rounded()).formatted()) ops/s")
                func ms(_ ns: UInt64) -> String { String(format: "%.3f ms", Double(ns) / 1e6) }
                print("latency     p50 \(ms(histogram.percentile(50)))  p90 \(ms(histogram.percentile(90)))  "
                      + "p99 \(ms(histogram.percentile(99)))  max \(ms(histogram.max))")
                if let firstError { print("first error: \(firstError)") }
            }
        }

        static func load(
            _ operation: LoadOperation, config: KMIPClientConfiguration, connections: Int, seconds: Double,
            newConnectionPerOp: Bool
        ) async throws -> Result {
            // Persistent connections are opened before the clock starts.
            var clients: [KMIPClient?] = Array(repeating: nil, count: connections)
            if !newConnectionPerOp {
                clients = try await withThrowingTaskGroup(of: (Int, KMIPClient).self) { group in
                    for i in 0..<connections {
                        group.addTask { (i, try await KMIPClient.connect(config)) }
                    }
                    var opened = clients
                    for try await (i, client) in group { opened[i] = client }
                    return opened
                }
            }
            let clock = ContinuousClock()
            let start = clock.now
            let deadline = start + .nanoseconds(Int64(seconds * 1e9))
            var total = try await withThrowingTaskGroup(of: Result.self) { group in
                for i in 0..<connections {
                    let initial = clients[i]
                    group.addTask {
                        await worker(operation, config: config, client: initial, deadline: deadline,
                                     newConnectionPerOp: newConnectionPerOp)
                    }
                }
                var total = Result()
                for try await part in group { total.merge(part) }
                return total
            }
            let elapsed = clock.now - start
            total.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return total
        }

        static func worker(
            _ operation: LoadOperation, config: KMIPClientConfiguration, client initial: KMIPClient?,
            deadline: ContinuousClock.Instant, newConnectionPerOp: Bool
        ) async -> Result {
            let clock = ContinuousClock()
            var result = Result()
            var client = initial
            func failed(_ error: any Error) {
                result.errors += 1
                if result.firstError == nil { result.firstError = "\(error)" }
            }
            func nanoseconds(since begin: ContinuousClock.Instant) -> UInt64 {
                let elapsed = clock.now - begin
                return UInt64(max(0, elapsed.components.seconds)) * 1_000_000_000
                    + UInt64(max(0, elapsed.components.attoseconds / 1_000_000_000))
            }
            while clock.now < deadline {
                let begin = clock.now
                if newConnectionPerOp {
                    var fresh: KMIPClient?
                    do {
                        fresh = try await KMIPClient.connect(config)
                        try await operation.perform(on: fresh!)
                        result.histogram.record(nanoseconds(since: begin))
                    } catch {
                        failed(error)
                    }
                    if let fresh { await fresh.close() }
                } else {
                    do {
                        if client == nil || !client!.isActive {
                            if let old = client { await old.close() }
                            client = try await KMIPClient.connect(config)
                        }
                        try await operation.perform(on: client!)
                        result.histogram.record(nanoseconds(since: begin))
                    } catch {
                        failed(error)
                    }
                }
                if result.errors > 1000, result.histogram.count == 0 { break }  // nothing works
            }
            if let client { await client.close() }
            return result
        }

        /// Creates `count` named AES-256 keys, `batch` Create items per request, over `connections` connections.
        static func prefill(count: Int, batch: Int, connections: Int, config: KMIPClientConfiguration) async throws {
            let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let requests = (count + batch - 1) / batch
            let clock = ContinuousClock()
            let start = clock.now
            let progress = Progress(total: count)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<connections {
                    group.addTask {
                        let client = try await KMIPClient.connect(config)
                        var request = worker
                        while request < requests {
                            let first = request * batch
                            let items = (first..<min(first + batch, count)).map { i in
                                var create = LoadOperation.aes256Create()
                                create.templateAttribute.attributes.append(
                                    Attribute(Name("strongroom-bench-\(run)-\(i)")))
                                // A multi-item request needs a Unique Batch Item ID on every item.
                                let id = UInt32(i - first)
                                return RequestBatchItem(
                                    operation: .create, uniqueBatchItemID: ByteString([UInt8(id >> 8), UInt8(id & 0xff)]),
                                    payload: create)
                            }
                            let answers = try await client.batch(items)
                            guard answers.count == items.count else {
                                let why = answers.first.map { " (\($0.resultStatus), \($0.resultReason.map { "\($0)" } ?? "-"): "
                                    + "\($0.resultMessage ?? ""))" } ?? ""
                                throw KMIPError(.invalidMessage,
                                                "prefill: \(answers.count) answers to \(items.count) items\(why); "
                                                + "a server without batches needs -prefill-batch 1")
                            }
                            if let bad = answers.first(where: { $0.resultStatus != .success }) {
                                throw KMIPError(bad.resultReason ?? .generalFailure,
                                                "prefill Create failed: \(bad.resultMessage ?? "")")
                            }
                            await progress.add(items.count)
                            request += connections
                        }
                        await client.close()
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("prefill: created \(count.formatted()) named objects in \(String(format: "%.1f", seconds)) s "
                  + "(\(Int(Double(count) / max(seconds, 1e-9)).formatted())/s)")
        }

        actor Progress {
            let total: Int
            var done = 0
            var nextReport: Int
            init(total: Int) { self.total = total; self.nextReport = max(total / 10, 1) }
            func add(_ n: Int) {
                done += n
                if done >= nextReport, done < total {
                    print("prefill: \(done.formatted()) / \(total.formatted())")
                    nextReport += max(total / 10, 1)
                }
            }
        }
    }
}

/// One benchmarked KMIP operation.
enum LoadOperation: Sendable {
    case get(String)
    case create
    case locate(String)
    case discover
    case encrypt(EncryptRequestPayload)
    case sign(SignRequestPayload)
    case mac(MACRequestPayload)

    static func aes256Create() -> CreateRequestPayload {
        var create = CreateRequestPayload()
        create.objectType = .symmetricKey
        create.templateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.aes),
            Attribute(name: "Cryptographic Length", value: .integer(256)),
            Attribute(CryptographicUsageMask([.encrypt, .decrypt])),
        ])
        return create
    }

    /// An HMAC-SHA256 key of 256 bits for MAC Generate.
    static func hmacSHA256Create() -> CreateRequestPayload {
        var create = CreateRequestPayload()
        create.objectType = .symmetricKey
        create.templateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.hmacSHA256),
            Attribute(name: "Cryptographic Length", value: .integer(256)),
            Attribute(CryptographicUsageMask([.macGenerate])),
        ])
        return create
    }

    /// An RSA-2048 key pair: Sign on the private key, Verify on the public key.
    static func rsa2048KeyPair(bits: Int32 = 2048) -> CreateKeyPairRequestPayload {
        var request = CreateKeyPairRequestPayload()
        request.commonTemplateAttribute = TemplateAttribute([
            Attribute(CryptographicAlgorithm.rsa),
            Attribute(name: "Cryptographic Length", value: .integer(bits)),
        ])
        request.privateKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.sign]))])
        request.publicKeyTemplateAttribute = TemplateAttribute([Attribute(CryptographicUsageMask([.verify]))])
        return request
    }

    /// `bytes` bytes of data to process (a fixed pattern: the content does not change the cost).
    static func data(_ bytes: Int) -> ByteString {
        ByteString((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    }

    /// AES-GCM Encrypt: 16-byte tag, Random IV (the server generates the 12-byte IV and returns it).
    static func gcmEncrypt(_ uid: String, bytes: Int) -> EncryptRequestPayload {
        var parameters = CryptographicParameters()
        parameters.blockCipherMode = .gcm
        parameters.tagLength = 16
        parameters.randomIV = true
        var request = EncryptRequestPayload()
        request.uniqueIdentifier = uid
        request.cryptographicParameters = parameters
        request.data = data(bytes)
        return request
    }

    /// RSA Sign with SHA-256 and PKCS#1 v1.5 (Digital Signature Algorithm SHA256WithRSAEncryption).
    static func rsaSign(_ uid: String, bytes: Int) -> SignRequestPayload {
        var parameters = CryptographicParameters()
        parameters.digitalSignatureAlgorithm = .sha256WithRSAEncryptionPKCS1V15
        var request = SignRequestPayload()
        request.uniqueIdentifier = uid
        request.cryptographicParameters = parameters
        request.data = data(bytes)
        return request
    }

    /// MAC with the key's HMAC algorithm (HMAC-SHA256).
    static func hmacMAC(_ uid: String, bytes: Int) -> MACRequestPayload {
        var request = MACRequestPayload()
        request.uniqueIdentifier = uid
        request.data = data(bytes)
        return request
    }

    static func locate(_ name: String) -> LocateRequestPayload {
        var locate = LocateRequestPayload()
        locate.attributes = [Attribute(Name(name))]
        return locate
    }

    func perform(on client: KMIPClient) async throws {
        switch self {
        case .get(let uid):
            var get = GetRequestPayload()
            get.uniqueIdentifier = uid
            let response = try await client.call(.get, get, as: GetResponsePayload.self)
            guard response.object != nil else { throw KMIPError(.invalidMessage, "Get returned no object") }
        case .create:
            _ = try await client.call(.create, Self.aes256Create(), as: CreateResponsePayload.self)
        case .locate(let name):
            let found = try await client.call(.locate, Self.locate(name), as: LocateResponsePayload.self)
            guard !found.uniqueIdentifiers.isEmpty else {
                throw KMIPError(.itemNotFound, "Locate found no object named \(name)")
            }
        case .discover:
            _ = try await client.call(.discoverVersions, DiscoverVersionsRequestPayload(),
                                      as: DiscoverVersionsResponsePayload.self)
        case .encrypt(let request):
            let response = try await client.call(.encrypt, request, as: EncryptResponsePayload.self)
            guard response.data?.count == request.data?.count, response.authenticatedEncryptionTag?.count == 16,
                  response.ivCounterNonce != nil
            else { throw KMIPError(.invalidMessage, "Encrypt returned no ciphertext, 16-byte tag or IV") }
        case .sign(let request):
            let response = try await client.call(.sign, request, as: SignResponsePayload.self)
            guard response.signatureData?.count == 256 else {
                throw KMIPError(.invalidMessage, "Sign returned no 256-byte signature")
            }
        case .mac(let request):
            let response = try await client.call(.mac, request, as: MACResponsePayload.self)
            guard response.macData?.count == 32 else { throw KMIPError(.invalidMessage, "MAC returned no 32-byte MAC") }
        }
    }
}

/// Latency histogram in nanoseconds, HDR-style: exact below 128 ns, then 64 sub-buckets per power of
/// two (relative error under 1.6 %), fixed memory (3,776 counters) whatever the run length.
struct LatencyHistogram: Sendable {
    private static let subBuckets = 64
    private static let size = 64 * 59
    private var counts = [UInt64](repeating: 0, count: LatencyHistogram.size)
    private(set) var count: UInt64 = 0
    private(set) var max: UInt64 = 0

    private static func index(_ value: UInt64) -> Int {
        if value < 128 { return Int(value) }
        let msb = 63 - value.leadingZeroBitCount
        let shift = msb - 6
        let top = Int(value >> UInt64(shift))  // 64…127
        return subBuckets * (shift + 1) + (top - subBuckets)
    }

    /// The largest value that falls in bucket `index`.
    private static func highest(_ index: Int) -> UInt64 {
        if index < 128 { return UInt64(index) }
        let shift = index / subBuckets - 1
        let top = UInt64(index % subBuckets + subBuckets)
        return ((top + 1) << UInt64(shift)) - 1
    }

    mutating func record(_ nanoseconds: UInt64) {
        counts[Self.index(nanoseconds)] += 1
        count += 1
        if nanoseconds > max { max = nanoseconds }
    }

    mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count { counts[i] += other.counts[i] }
        count += other.count
        max = Swift.max(max, other.max)
    }

    /// The value at `percent` (0…100), as its bucket's upper bound, capped by the maximum seen.
    func percentile(_ percent: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, UInt64((percent / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (i, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return Swift.min(Self.highest(i), max) }
        }
        return max
    }
}
