import Foundation
import KMIPStore
import Logging
import KMIPTestSupport
import StrongroomAPI

// Target `api`: HTTP requests as the API listener receives them once a request is off the socket:
// `APIRequest.http` (the `/v1/` path, percent-decoding, query, method → operation, the JSON body),
// then `APIRouter.handle` (token lookup, ACL, the path's handler), then the response rendered as
// the listener sends it. The store is in memory, with a root token, a mount `kmip/` with a scope
// and a role, and a limited token; the state is rebuilt every 2,000 inputs so it stays small.
//
// Input: the first line is `METHOD target` (target: path and query), the second names the token
// (`root`, `limited`, `none`, or any other text as the token itself), the rest is the body.
//
// Checks beyond "no crash": the status is one the API answers with; a request without a valid
// token is refused (403) except on the paths Vault leaves open (`sys/health`, `sys/seal-status`…);
// every rendered body is JSON; the root token never appears in a response to another token.

final class State: @unchecked Sendable {
    let router: APIRouter
    let root: String
    let limited: String
    var uses = 0

    init() async throws {
        let store = InMemoryStore()
        let registry = MountRegistry(system: store)
        try await registry.load()
        let auth = TokenAuth(store: store)
        root = try await auth.bootstrapRootToken() ?? ""
        router = APIRouter(paths: .standard, system: store, mounts: registry, tokens: auth)
        try await router.services.policies.bootstrap()
        for (method, path, body) in [
            ("PUT", "/v1/sys/mounts/kmip", #"{"type":"kmip"}"#),
            ("PUT", "/v1/kmip/scope/s1", ""),
            ("PUT", "/v1/kmip/scope/s1/role/r1", #"{"operation_all":true}"#),
            ("PUT", "/v1/sys/policy/reader", #"{"policy":"path \"kmip/*\" { capabilities = [\"read\", \"list\"] }"}"#),
        ] {
            _ = await router.handle(try APIRequest.http(method: method, path: path, query: nil, token: root,
                                                        body: Array(body.utf8), requestID: "seed"))
        }
        let created = await router.handle(try APIRequest.http(
            method: "POST", path: "/v1/auth/token/create", query: nil, token: root,
            body: Array(#"{"policies":["reader"]}"#.utf8), requestID: "seed"))
        let rendered = created.rendered(requestID: "seed").body
        let object = try JSONSerialization.jsonObject(with: rendered) as? [String: Any]
        limited = ((object?["auth"] as? [String: Any])?["client_token"] as? String) ?? ""
    }
}

nonisolated(unsafe) private var state: State?

/// Runs `body` to completion from libFuzzer's synchronous callback.
private func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> T? {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: T?
    Task {
        result = try? await body()
        done.signal()
    }
    done.wait()
    return result
}

private let openPaths: Set<String> = ["sys/health", "sys/seal-status", "sys/leader", "sys/init"]
private let statuses: Set<Int> = [200, 204, 307, 400, 403, 404, 405, 409, 412, 413, 429, 500, 501, 503]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    let lines = bytes.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
    guard lines.count >= 2 else { return 0 }
    let requestLine = String(decoding: lines[0], as: UTF8.self).split(separator: " ", maxSplits: 1)
    guard requestLine.count == 2 else { return 0 }
    let (method, target) = (String(requestLine[0]), String(requestLine[1]))
    let body = lines.count > 2 ? Array(lines[2]) : []

    // The router logs every refusal: silenced, so the fuzzer spends its time on the requests.
    if state == nil { LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() } }
    if state == nil || state!.uses >= 2_000 { state = blocking { try await State() } }
    guard let current = state else { check(false, "api.setup", "the fuzz state could not be built"); return 0 }
    current.uses += 1
    let tokenName = String(decoding: lines[1], as: UTF8.self)
    let token: String? = switch tokenName {
    case "root": current.root
    case "limited": current.limited
    case "none": nil
    default: tokenName
    }

    let request: APIRequest
    do {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        request = try APIRequest.http(method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
                                      token: token, body: body, requestID: "fuzz")
    } catch {
        let rendered = error.response.rendered(requestID: "fuzz")
        check(statuses.contains(rendered.status), "api.status", "translation answered \(rendered.status) for \(method) \(target)")
        return 0
    }
    let response = blocking { await current.router.handle(request) }!
    let rendered = response.rendered(requestID: "fuzz")
    check(statuses.contains(rendered.status), "api.status", "\(method) \(target) answered \(rendered.status)")
    if !rendered.body.isEmpty {
        check((try? JSONSerialization.jsonObject(with: rendered.body)) != nil, "api.json",
              "\(method) \(target) answered a body that is not JSON")
    }
    let authenticated = token == current.root || token == current.limited
    if !authenticated, !openPaths.contains(request.path) {
        check(rendered.status == 403 || rendered.status == 400 || rendered.status == 405 || rendered.status == 404,
              "api.unauthenticated", "\(method) \(target) without a valid token answered \(rendered.status)")
        check(rendered.status != 200 && rendered.status != 204, "api.unauthenticated-success",
              "\(method) \(target) without a valid token succeeded")
    }
    // A caller who wrote the root token into its own request (path, query or body) may see it
    // echoed back, e.g. in a "no handler for route" error: that discloses nothing.
    if token != current.root, !current.root.isEmpty, !String(decoding: bytes, as: UTF8.self).contains(current.root) {
        check(!String(decoding: rendered.body, as: UTF8.self).contains(current.root), "api.root-token-leak",
              "\(method) \(target) showed the root token to another caller")
    }
    return 0
}
