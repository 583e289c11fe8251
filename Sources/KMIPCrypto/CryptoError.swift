import COpenSSL
import KMIP

/// A cryptographic failure, named by the KMIP Result Reason a server answers with.
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: ResultReason
    public var message: String

    public init(_ reason: ResultReason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.name ?? reason.description): \(message)" }
    public var kmipError: KMIPError { KMIPError(reason, message) }

    static func unsupported(_ what: String) -> CryptoError { CryptoError(.cryptographicFailure, "\(what) is not supported") }
    static func invalidField(_ what: String) -> CryptoError { CryptoError(.invalidField, what) }
    static func cryptographicFailure(_ what: String) -> CryptoError { CryptoError(.cryptographicFailure, what) }

    /// A failure inside OpenSSL: takes (and clears) the thread's OpenSSL error queue into the message.
    static func openSSL(_ context: String, reason: ResultReason = .cryptographicFailure) -> CryptoError {
        CryptoError(reason, "\(context)\(OpenSSLErrors.drain().map { ": " + $0 } ?? "")")
    }
}

enum OpenSSLErrors {
    /// The reasons on this thread's OpenSSL error queue, oldest first; the queue is left empty.
    static func drain() -> String? {
        var reasons: [String] = []
        while true {
            let code = strongroom_ERR_get_error_all(nil, nil, nil, nil, nil)
            if code == 0 { break }
            if reasons.count < 4, let r = ERR_reason_error_string(code) { reasons.append(String(cString: r)) }
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// Clears errors left by a call whose failure was expected (e.g. a probe).
    static func clear() { ERR_clear_error() }
}

/// Checks an OpenSSL return code (1 = success).
@inline(__always) func check(_ rc: Int32, _ context: @autoclosure () -> String,
                             reason: ResultReason = .cryptographicFailure) throws {
    guard rc == 1 else { throw CryptoError.openSSL(context(), reason: reason) }
}
