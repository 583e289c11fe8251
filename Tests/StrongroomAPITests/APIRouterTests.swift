import Foundation
import KMIPStore
import MetricsTestKit
import XCTest
@testable import StrongroomAPI
import VaultFramework

final class APIRouterTests: XCTestCase {
    func testEnvelopeShape() throws {
        let r = APIResponse.data(["a": 1]).rendered(requestID: "rid")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.contentType, "application/json")
        let json = try XCTUnwrap(VaultValue.parse(r.body))
        XCTAssertEqual(json, [
            "request_id": "rid", "lease_id": "", "renewable": false, "lease_duration": 0,
            "data": ["a": 1], "wrap_info": nil, "warnings": nil, "auth": nil,
        ])
        let none = APIResponse.noContent.rendered(requestID: "rid")
        XCTAssertEqual(none.status, 204)
        XCTAssertTrue(none.body.isEmpty)
        let error = APIResponse.errors(400, ["bad"]).rendered(requestID: "rid")
        XCTAssertEqual(try VaultValue.parse(error.body), ["errors": ["bad"]])
        XCTAssertEqual(try VaultValue.parse(APIResponse.notFound.rendered(requestID: "x").body), ["errors": []])
    }

    /// A store that cannot reach its database: 503, as Vault answers when it cannot serve; other
    /// store failures stay 500 without detail.
    func testAnUnavailableStoreIs503() {
        XCTAssertEqual(APIError.from(StoreError.unavailable("no answer within 10 seconds")).status, 503)
        XCTAssertEqual(APIError.from(StoreError(.generalFailure, "database error 22P02: x")).status, 500)
        XCTAssertEqual(APIError.from(StoreError(.generalFailure, "database error 22P02: x")).messages, ["internal error"])
    }

    func testPatternMatching() {
        let p = APIPath("scope/:scope/role/:role", scope: .mount(type: "kmip"), help: "", operations: [:])
        XCTAssertEqual(p.match("scope/a/role/b"), ["scope": "a", "role": "b"])
        XCTAssertNil(p.match("scope/a/role"))
        XCTAssertNil(p.match("scope/a/role/b/c"))
        XCTAssertNil(p.match("scope//role/b"))
        let rest = APIPath("sys/mounts/*path", scope: .system, help: "", operations: [:])
        XCTAssertEqual(rest.match("sys/mounts/team/kmip"), ["path": "team/kmip"])
        XCTAssertNil(rest.match("sys/mounts"))
        XCTAssertEqual(APIRequest.normalize("/v1/kmip/scope/"), "kmip/scope")
    }

    func testObserversSeeRequestsAndResponsesWithTheAccessor() async throws {
        let observer = RecordingObserver()
        let h = try await APIHarness.make(observers: [observer])
        let accessor = try await h.auth.authenticate(h.root)?.accessor
        await h.expect(204, .write, "sys/mounts/kmip", ["type": "kmip"])
        await h.expect(403, .read, "sys/mounts", token: .some("wrong"))
        XCTAssertEqual(observer.received.map(\.0), ["write sys/mounts/kmip", "read sys/mounts"])
        XCTAssertEqual(observer.received.map(\.1), [accessor, nil])
        XCTAssertEqual(observer.sent.map(\.1), [204, 403])
        XCTAssertEqual(observer.sent.map(\.2), [accessor, nil])
        XCTAssertFalse(observer.sawToken, "observers never see the token itself")
        await h.expect(204, .write, "kmip/scope/secret-name")
        await h.expect(404, .read, "no/such/path")
        XCTAssertEqual(observer.routes, ["sys/mounts/*path", "sys/mounts", "kmip/scope/:scope", nil],
                       "metrics get the pattern, never names from the path")
    }

    /// `api_requests_total{method,status}` and `api_request_duration_seconds{method}`: labels from a
    /// fixed set, never from the path.
    func testRequestsAreCountedWithBoundedLabels() async throws {
        let metrics = TestMetrics()
        let h = try await APIHarness.make(metrics: metrics)
        await h.expect(404, .read, "no/such/abc123secret")
        await h.expect(403, .read, "sys/mounts", token: .some(nil))
        let total = { (method: String, status: String) in
            metrics.counterTotal(label: "api_requests_total", dimensions: [("method", method), ("status", status)])
        }
        XCTAssertEqual(total("GET", "404"), 1)
        XCTAssertEqual(total("GET", "403"), 1)
        XCTAssertEqual(APIMetrics.method("brew"), "OTHER", "an unknown method shares one label")
        XCTAssertEqual(APIMetrics.method("list"), "LIST")
        XCTAssertEqual(metrics.timers(label: "api_request_duration_seconds").map { $0.values.count }.reduce(0, +), 2)
        for counter in metrics.counters {
            XCTAssertFalse(counter.dimensions.contains { $0.1.contains("abc123") }, "paths never become labels")
        }
    }

    func testFailingAuditRefusesTheRequestWithoutRunningIt() async throws {
        let failing = RecordingObserver(fail: true)
        let h = try await APIHarness.make(observers: [failing])
        let r = await h.expect(500, .write, "sys/mounts/kmip", ["type": "kmip"])
        XCTAssertEqual(r.errors, ["audit logging failed"])
        let mounts = try await h.store.mounts()
        XCTAssertTrue(mounts.isEmpty, "the handler must not run")
        XCTAssertEqual(failing.sent.map(\.1), [500])
    }

    func testExtraPathsCanBeRegistered() async throws {
        var paths = APIPaths.standard
        paths.register(APIPath(
            "sys/metrics", scope: .system, fields: [FieldSchema("format", .string, default: "", "")],
            help: "metrics", operations: [.read: { ctx in
                APIResponse(status: 200, body: .text("up 1 \(ctx.fields.string("format") ?? "")\n", contentType: "text/plain; version=0.0.4"))
            }]))
        paths.register(APIPath("sys/audit/*path", scope: .system, help: "audit", operations: [.write: { ctx in
            .data(["path": .string(ctx.parameter("path"))])
        }]))
        // A registered path replaces a built-in one with the same pattern.
        paths.register(APIPath("sys/health", scope: .system, unauthenticated: true, help: "", operations: [.read: { _ in
            .data(["replaced": true])
        }]))
        let h = try await APIHarness.make(paths: paths)
        let metrics = await h.expect(200, .read, "sys/metrics", query: [("format", "prometheus")])
        guard case .text(let text, let type) = metrics.body else { return XCTFail("text expected") }
        XCTAssertEqual(text, "up 1 prometheus\n")
        XCTAssertTrue(type.hasPrefix("text/plain"))
        await h.expect(403, .read, "sys/metrics", token: .some(nil))
        let audit = await h.expect(200, .write, "sys/audit/file")
        XCTAssertEqual(audit.string("path"), "file")
        let health = await h.expect(200, .read, "sys/health", token: .some(nil))
        XCTAssertEqual(health.data?["replaced"], true)
    }

    func testListTrueQueryIsNotAField() async throws {
        let request = APIRequest(.list, "kmip/scope", query: [("list", "true"), ("force", "1")])
        XCTAssertEqual(request.data, ["force": "1"])
    }
}
