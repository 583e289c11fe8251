/// Every bound on client-controlled input, in one place. Nothing is allocated from a
/// client-supplied length before it has been checked against these.
public struct Limits: Sendable, Hashable {
    /// Largest accepted message, header included.
    public var maxMessageBytes: Int = 4 << 20
    /// Deepest nesting of structures (the message itself is depth 1).
    public var maxDepth: Int = 32
    /// Most items (of any type, at any depth) in one message.
    public var maxItems: Int = 65_536
    /// Most batch items in one request.
    public var maxBatchItems: Int = 256
    /// Most Unique Identifiers one Locate returns (a Locate without Maximum Items in a huge
    /// scope would otherwise build an unbounded answer); Located Items still tells the total.
    public var maxLocatedItems: Int = 100_000

    public init() {}
    public init(maxMessageBytes: Int = 4 << 20, maxDepth: Int = 32, maxItems: Int = 65_536, maxBatchItems: Int = 256) {
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
        self.maxItems = maxItems
        self.maxBatchItems = maxBatchItems
    }

    public static let `default` = Limits()
}
