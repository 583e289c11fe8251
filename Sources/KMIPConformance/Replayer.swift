import Foundation
import KMIP

/// Sends one request message and returns the server's response (a TLS client, an in-process engine…).
public typealias ConformanceTransport = @Sendable (RequestMessage) async throws -> ResponseMessage

/// Replays OASIS test cases against a server through a `ConformanceTransport`, step by step:
/// bind the request's placeholders, send it, compare the response with `ResponseComparator`, bind
/// the placeholders of the expected response. The replay of a case stops at its first difference.
public struct Replayer: Sendable {
    public var comparator: ResponseComparator
    /// Seconds since 1970; `$NOW` of each step.
    public var clock: @Sendable () -> Int64

    public init(comparator: ResponseComparator = ResponseComparator(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.comparator = comparator
        self.clock = clock
    }

    public func replay(_ testCase: ConformanceCase, send: ConformanceTransport) async -> ReplayResult {
        var bindings = Bindings()
        for step in testCase.steps {
            bindings.now = clock()
            let request: TTLV
            let message: RequestMessage
            do {
                request = bindings.substituted(try step.request.bind { p, tag, type in try bindings.requestValue(p, tag: tag, type: type) })
                message = try RequestMessage(ttlv: request.encoded())
            } catch {
                return ReplayResult(name: testCase.name, stepsRun: step.number - 1, failure: ReplayFailure(
                    step: step.number, operations: step.operations, path: "", message: "cannot build the request: \(error)"))
            }
            bindings.recordSent(request)
            let response: ResponseMessage
            do {
                response = try await send(message)
            } catch {
                return ReplayResult(name: testCase.name, stepsRun: step.number, failure: ReplayFailure(
                    step: step.number, operations: step.operations, path: "", message: "transport error: \(error)"))
            }
            let actual: TTLV
            do {
                actual = try TTLV(decoding: response.encoded())
            } catch {
                return ReplayResult(name: testCase.name, stepsRun: step.number, failure: ReplayFailure(
                    step: step.number, operations: step.operations, path: "", message: "cannot re-read the response: \(error)"))
            }
            defer { bindings.recordReceived(actual) }
            if let d = comparator.compare(expected: step.expectedResponse, actual: actual, request: request, bindings: &bindings) {
                return ReplayResult(name: testCase.name, stepsRun: step.number, failure: ReplayFailure(
                    step: step.number, operations: step.operations, path: d.path, message: d.message,
                    serverResults: Self.results(of: response), responseXML: KMIPXML.encode(actual)))
            }
        }
        return ReplayResult(name: testCase.name, stepsRun: testCase.steps.count, failure: nil)
    }

    /// `Create: OperationFailed/ItemNotFound "no such object"` for each batch item.
    static func results(of response: ResponseMessage) -> [String] {
        response.batchItems.map { item in
            var s = LeafText.text(TTLV(.resultStatus, .enumeration(item.resultStatus.rawValue)))
            if let r = item.resultReason { s += "/" + LeafText.text(TTLV(.resultReason, .enumeration(r.rawValue))) }
            if let m = item.resultMessage { s += " \"\(m)\"" }
            return s
        }
    }
}

/// How the replay of one case ended.
public struct ReplayResult: Sendable, CustomStringConvertible {
    public var name: String
    /// Steps sent to the server.
    public var stepsRun: Int
    /// nil when every step matched.
    public var failure: ReplayFailure?

    public var description: String {
        if let failure { return "\(name): FAIL at \(failure)" }
        return "\(name): pass (\(stepsRun) steps)"
    }
}

/// The first difference of a case.
public struct ReplayFailure: Sendable, CustomStringConvertible {
    /// 1-based step (request/response pair) of the file.
    public var step: Int
    public var operations: [String]
    /// e.g. `BatchItem[1].ResponsePayload.Attribute[3].AttributeValue`; empty for message-level errors.
    public var path: String
    public var message: String
    /// Result Status / Reason / Message of each batch item the server returned.
    public var serverResults: [String] = []
    /// The whole actual response in the KMIP XML encoding.
    public var responseXML: String?

    public var description: String {
        var s = "step \(step) (\(operations.joined(separator: ", "))): "
        s += path.isEmpty ? message : "\(path): \(message)"
        if !serverResults.isEmpty { s += " [server: \(serverResults.joined(separator: "; "))]" }
        return s
    }
}
