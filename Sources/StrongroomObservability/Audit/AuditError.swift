/// Why the audit layer refused: an operator's mistake (``Kind/invalidOption``, ``Kind/duplicate``,
/// ``Kind/notFound`` — the API answers 400/404) or a device that cannot write (``Kind/unavailable``).
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case invalidOption, duplicate, notFound, unavailable }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }

    public var description: String { message }
}
