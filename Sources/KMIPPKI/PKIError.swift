/// A failure of the mount's PKI: configuration, issue, signing or verification.
public struct PKIError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case invalidParameter, invalidCSR, keyMismatch, notConfigured, verificationFailed, revoked
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}
