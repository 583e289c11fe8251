import XCTest
@testable import StrongroomAPI

/// `APIRequest.http`: the one place an HTTP request becomes an API call.
final class HTTPTranslationTests: XCTestCase {
    func request(_ method: String, _ path: String, query: String? = nil, body: String = "") throws(APIError) -> APIRequest {
        try APIRequest.http(method: method, path: path, query: query, token: "t", body: Array(body.utf8), requestID: "r")
    }

    func status(_ body: () throws -> APIRequest) -> Int? {
        do { _ = try body(); return nil } catch { return (error as? APIError)?.status }
    }

    func testMethodsPathsQueriesAndBodies() throws {
        XCTAssertEqual(try request("GET", "/v1/kmip/scope").operation, .read)
        XCTAssertEqual(try request("GET", "/v1/kmip/scope", query: "list=true").operation, .list)
        XCTAssertEqual(try request("HEAD", "/v1/sys/health").operation, .read)
        XCTAssertEqual(try request("LIST", "/v1/kmip/scope").operation, .list)
        XCTAssertEqual(try request("PUT", "/v1/kmip/scope/a").operation, .write)
        XCTAssertEqual(try request("POST", "/v1/kmip/scope/a").operation, .write)
        XCTAssertEqual(try request("DELETE", "/v1/kmip/scope/a").operation, .delete)
        XCTAssertEqual(status { try request("PATCH", "/v1/kmip/scope/a") }, 405)
        // The path is percent-decoded before routing, as Go's net/http does for Vault.
        XCTAssertEqual(try request("GET", "/v1/kmip/scope/a%2Fb").path, "kmip/scope/a/b")
        XCTAssertEqual(status { try request("GET", "/v2/kmip") }, 404)
        XCTAssertEqual(status { try request("GET", "/v1x") }, 404)
        let q = try request("GET", "/v1/x", query: "a=1&b=x%20y+z&flag").query
        XCTAssertEqual(q.map(\.name), ["a", "b", "flag"])
        XCTAssertEqual(q.map(\.value), ["1", "x y z", ""])
        XCTAssertEqual(try request("PUT", "/v1/x", body: #"{"n":1}"#).body["n"], .int(1))
        XCTAssertEqual(try request("PUT", "/v1/x", body: "null").body, [:])
        XCTAssertEqual(status { try request("PUT", "/v1/x", body: "[1]") }, 400)
        XCTAssertEqual(status { try request("PUT", "/v1/x", body: "{") }, 400)
        XCTAssertEqual(try request("PUT", "/v1/x").httpMethod, "PUT")
    }

    /// The body parser has a depth limit: a deeply nested body is a 400, not a stack overflow.
    func testDeeplyNestedBodiesAreRefused() throws {
        let deep = #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        XCTAssertEqual(status { try request("PUT", "/v1/x", body: deep) }, 400)
        let fine = #"{"a":"# + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "}"
        XCTAssertNotNil(try request("PUT", "/v1/x", body: fine).body["a"])
    }
}
