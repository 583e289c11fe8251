import KMIP
import KMIPPKI
import KMIPTransport
import XCTest
@testable import StrongroomObservability

/// The exposition read back the way Prometheus reads it.
struct ParsedExposition {
    struct Sample: Hashable { let name: String; let labels: [String: String]; let value: Double }
    var help: [String: String] = [:]
    var type: [String: String] = [:]
    var samples: [Sample] = []
    /// Each family's `# TYPE` line comes before any of its samples.
    var typedBeforeSamples = true

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                help[name] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                type[String(parts[0])] = String(parts[1])
            } else {
                let sample = try Self.sample(Substring(line))
                let family = ["_bucket", "_sum", "_count"].reduce(sample.name) { name, suffix in
                    type[name] == nil && name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
                }
                if type[family] == nil { typedBeforeSamples = false }
                samples.append(sample)
            }
        }
    }

    static func sample(_ line: Substring) throws -> Sample {
        var rest = line[...]
        let name = String(rest.prefix { $0 != "{" && $0 != " " })
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let key = String(rest.prefix { $0 != "=" })
                rest = rest.dropFirst(key.count)
                guard rest.hasPrefix("=\"") else { throw Malformed(line: String(line)) }
                rest = rest.dropFirst(2)
                var value = ""
                while let c = rest.first, c != "\"" {
                    rest = rest.dropFirst()
                    if c == "\\" {
                        guard let escaped = rest.first else { throw Malformed(line: String(line)) }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: throw Malformed(line: String(line))
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard rest.first == "\"" else { throw Malformed(line: String(line)) }
                rest = rest.dropFirst()
                labels[key] = value
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Malformed(line: String(line)) }
        let text = rest.dropFirst()
        let value: Double? = switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        default: Double(text)
        }
        guard let value else { throw Malformed(line: String(line)) }
        return Sample(name: name, labels: labels, value: value)
    }

    struct Malformed: Error { let line: String }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}

final class MetricsTests: XCTestCase {
    func testKMIPCountsAndHistogramReadBack() throws {
        let metrics = StrongroomMetrics()
        for _ in 0..<3 { metrics.recordKMIP(operation: .get, status: .success, reason: nil, duration: .microseconds(200)) }
        metrics.recordKMIP(operation: .get, status: .operationFailed, reason: .itemNotFound, duration: .milliseconds(3))
        metrics.recordKMIP(operation: .get, status: .success, reason: nil, duration: .milliseconds(300))
        metrics.recordKMIP(operation: .get, status: .success, reason: nil, duration: .seconds(20))
        metrics.recordKMIP(operation: .createKeyPair, status: .operationUndone, reason: nil, duration: nil)
        metrics.recordKMIP(operation: KMIP.Operation(rawValue: 0x8000_1234), status: .success, reason: nil, duration: nil)

        let parsed = try ParsedExposition(metrics.prometheusText())
        XCTAssertTrue(parsed.typedBeforeSamples)
        XCTAssertEqual(parsed.type["kmip_requests_total"], "counter")
        XCTAssertEqual(parsed.type["kmip_request_duration_seconds"], "histogram")
        XCTAssertEqual(parsed.type["kmip_connections_active"], "gauge")
        XCTAssertEqual(parsed.type["kmip_tls_handshakes_total"], "counter")
        XCTAssertEqual(parsed.type["api_requests_total"], "counter")
        XCTAssertEqual(parsed.type["audit_log_failures_total"], "counter")
        for name in parsed.type.keys { XCTAssertFalse(parsed.help[name, default: ""].isEmpty, "HELP for \(name)") }

        XCTAssertEqual(parsed.value("kmip_requests_total", ["operation": "Get", "result": "success"]), 5)
        XCTAssertEqual(parsed.value("kmip_requests_total", ["operation": "Get", "result": "ItemNotFound"]), 1)
        XCTAssertEqual(parsed.value("kmip_requests_total", ["operation": "CreateKeyPair", "result": "undone"]), 1)
        XCTAssertEqual(parsed.value("kmip_requests_total", ["operation": "unknown", "result": "success"]), 1,
                       "undefined operations share one label")

        let buckets = parsed.samples.filter { $0.name == "kmip_request_duration_seconds_bucket" && $0.labels["operation"] == "Get" }
        XCTAssertEqual(buckets.count, StrongroomMetrics.durationBuckets.count + 1)
        XCTAssertEqual(buckets.last?.labels["le"], "+Inf")
        let bounds = buckets.dropLast().map { Double($0.labels["le"]!)! }
        XCTAssertEqual(bounds, StrongroomMetrics.durationBuckets)
        XCTAssertEqual(buckets.map(\.value), buckets.map(\.value).sorted(), "buckets are cumulative")
        XCTAssertEqual(parsed.value("kmip_request_duration_seconds_bucket", ["operation": "Get", "le": "0.00025"]), 3)
        XCTAssertEqual(parsed.value("kmip_request_duration_seconds_bucket", ["operation": "Get", "le": "0.005"]), 4)
        XCTAssertEqual(parsed.value("kmip_request_duration_seconds_bucket", ["operation": "Get", "le": "0.5"]), 5)
        XCTAssertEqual(parsed.value("kmip_request_duration_seconds_bucket", ["operation": "Get", "le": "10"]), 5)
        XCTAssertEqual(parsed.value("kmip_request_duration_seconds_bucket", ["operation": "Get", "le": "+Inf"]), 6)
        XCTAssertEqual(parsed.value("kmip_request_duration_seconds_count", ["operation": "Get"]), 6)
        XCTAssertEqual(try XCTUnwrap(parsed.value("kmip_request_duration_seconds_sum", ["operation": "Get"])),
                       3 * 0.0002 + 0.003 + 0.3 + 20, accuracy: 1e-9)
        XCTAssertNil(parsed.value("kmip_request_duration_seconds_count", ["operation": "CreateKeyPair"]),
                     "no duration, no observation")
    }

    func testBoundaryValueFallsInItsBucket() throws {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("h", help: "h", buckets: [1, 2])
        histogram.observe(1)
        histogram.observe(2.5)
        let parsed = try ParsedExposition(registry.prometheusText())
        XCTAssertEqual(parsed.value("h_bucket", ["le": "1"]), 1, "le is inclusive")
        XCTAssertEqual(parsed.value("h_bucket", ["le": "2"]), 1)
        XCTAssertEqual(parsed.value("h_bucket", ["le": "+Inf"]), 2)
        XCTAssertEqual(parsed.value("h_count"), 2)
        XCTAssertEqual(parsed.value("h_sum"), 3.5)
    }

    func testLabelValuesAndHelpAreEscaped() throws {
        let registry = MetricsRegistry()
        let counter = registry.counter("odd_total", help: "back\\slash and\nnewline", labels: ["v"])
        let tricky = "a\"b\\c\nd"
        counter.increment([tricky], by: 2)
        let text = registry.prometheusText()
        XCTAssertTrue(text.contains("# HELP odd_total back\\\\slash and\\nnewline\n"), text)
        XCTAssertTrue(text.contains("odd_total{v=\"a\\\"b\\\\c\\nd\"} 2\n"), text)
        XCTAssertEqual(text.split(separator: "\n").count, 3, "no raw line feed inside a sample")
        XCTAssertEqual(try ParsedExposition(text).value("odd_total", ["v": tricky]), 2)
    }

    func testTransportEventsFeedConnectionsAndHandshakes() throws {
        let metrics = StrongroomMetrics()
        let observer: any TransportObserver = metrics
        observer.connectionOpened(id: 1)
        observer.connectionOpened(id: 2)
        observer.connectionOpened(id: 3)
        observer.handshakeSucceeded(id: 1, client: ClientIdentity(scopeID: "s", roleID: "r", serialNumber: "99"))
        observer.handshakeFailed(id: 2, reason: .certificateRejected)
        observer.handshakeFailed(id: 3, reason: .timeout)
        observer.connectionClosed(id: 2)
        observer.connectionClosed(id: 3)
        observer.connectionRejected()

        let text = metrics.prometheusText()
        let parsed = try ParsedExposition(text)
        XCTAssertEqual(parsed.value("kmip_connections_active"), 1)
        XCTAssertEqual(parsed.value("kmip_connections_rejected_total"), 1)
        XCTAssertEqual(parsed.value("kmip_tls_handshakes_total", ["result": "success"]), 1)
        XCTAssertEqual(parsed.value("kmip_tls_handshakes_total", ["result": "certificate_rejected"]), 1)
        XCTAssertEqual(parsed.value("kmip_tls_handshakes_total", ["result": "timeout"]), 1)
        XCTAssertFalse(text.contains("99"), "no serials in labels")
    }

    func testAPILabelsAreBounded() async throws {
        let observability = Observability(logger: quietLogger)
        try await observability.logAPIResponse(id: "1", method: "get", operation: "read", path: "kmip/scope/abc123/role/x",
                                         remoteAddress: nil, auth: nil, status: 200, error: nil, duration: .milliseconds(2))
        try await observability.logAPIResponse(id: "2", method: "BREW", operation: "read", path: "x", remoteAddress: nil,
                                         auth: nil, status: 1234, error: nil)
        try await observability.logAPIResponse(id: "3", method: "LIST", operation: "list", path: "x", remoteAddress: nil,
                                         auth: nil, status: 404, error: "not found")
        let (body, contentType) = observability.prometheus()
        XCTAssertTrue(contentType.hasPrefix("text/plain; version=0.0.4"))
        let parsed = try ParsedExposition(body)
        XCTAssertEqual(parsed.value("api_requests_total", ["method": "GET", "status": "200"]), 1)
        XCTAssertEqual(parsed.value("api_requests_total", ["method": "OTHER", "status": "other"]), 1)
        XCTAssertEqual(parsed.value("api_requests_total", ["method": "LIST", "status": "404"]), 1)
        XCTAssertEqual(parsed.value("api_request_duration_seconds_count", ["method": "GET"]), 1)
        XCTAssertFalse(body.contains("abc123"), "paths never become labels")
    }

    func testConcurrentRecordingLosesNothing() async throws {
        let metrics = StrongroomMetrics()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<1000 { metrics.recordKMIP(operation: .encrypt, status: .success, reason: nil, duration: .microseconds(50)) }
                }
            }
        }
        let parsed = try ParsedExposition(metrics.prometheusText())
        XCTAssertEqual(parsed.value("kmip_requests_total", ["operation": "Encrypt", "result": "success"]), 8000)
        XCTAssertEqual(parsed.value("kmip_request_duration_seconds_count", ["operation": "Encrypt"]), 8000)
    }
}
