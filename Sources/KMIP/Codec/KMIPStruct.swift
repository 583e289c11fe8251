/// A structure of the typed model, described once as data: its fields in spec order, each with its
/// tag, cardinality and the first version that has it. Decoding, encoding and version filtering are
/// derived from that list, so no type hand-writes a codec and no handler checks versions.
///
///     public struct GetRequestPayload: KMIPStruct {
///         public var uniqueIdentifier: String?
///         public init() {}
///         public static let fields: [Field<Self>] = [.optional(.uniqueIdentifier, \.uniqueIdentifier)]
///     }
public protocol KMIPStruct: TTLVCodable {
    init()
    static var fields: [Field<Self>] { get }
    /// Rules the field list cannot state (e.g. one of two forms must be present); runs after
    /// decoding, and may settle what one field means by another (a wrapped Key Value).
    mutating func validateDecoded() throws
}

extension KMIPStruct {
    public func validateDecoded() throws {}

    public static func decode(_ e: TTLVElement, _ context: inout DecodingContext) throws -> Self {
        try e.expect(.structure)
        var value = Self()
        let fields = Self.fields
        var seen: UInt64 = 0
        var cursor = e.children
        while let child = cursor.next() {
            let tag = child.tag
            guard let i = fields.firstIndex(where: { $0.tag == tag }) else {
                throw TTLVError(.unexpectedTag, offset: child.offset, tag: tag, "\(tag.xmlName) is not a field of \(e.tag.xmlName)")
            }
            let bit: UInt64 = 1 << UInt64(i)
            if seen & bit != 0, fields[i].cardinality != .repeated {
                throw TTLVError(.duplicateField, offset: child.offset, tag: tag, "\(tag.xmlName) appears twice in \(e.tag.xmlName)")
            }
            seen |= bit
            try fields[i].decode(&value, child, &context)
        }
        for (i, f) in fields.enumerated() where f.cardinality == .required && seen & (1 << UInt64(i)) == 0 {
            throw TTLVError(.missingField, offset: e.offset, tag: e.tag, "\(e.tag.xmlName) lacks its required \(f.tag.xmlName)")
        }
        do { try value.validateDecoded() } catch var error as TTLVError {
            error.offset = error.offset ?? e.offset
            throw error
        }
        return value
    }

    public func encode(tag: Tag, to w: inout TTLVWriter, _ context: EncodingContext) {
        let mark = w.beginStructure(tag)
        encodeFields(to: &w, context)
        w.endStructure(mark)
    }

    /// Writes the fields without the enclosing structure header.
    public func encodeFields(to w: inout TTLVWriter, _ context: EncodingContext) {
        for f in Self.fields where f.since <= context.version {
            f.encode(self, &w, context)
        }
    }

    /// Decodes a whole message or item from bytes.
    public init(ttlv bytes: [UInt8], tag: Tag? = nil, context: DecodingContext = DecodingContext()) throws {
        self = try bytes.withUnsafeBytes { try Self(ttlvBytes: $0, tag: tag, context: context) }
    }

    /// Decodes a whole message or item read in place (a network buffer), without copying it first.
    public init(ttlvBytes raw: UnsafeRawBufferPointer, tag: Tag? = nil, context: DecodingContext = DecodingContext()) throws {
        var context = context
        let root = try TTLVReader.validate(raw, limits: context.limits)
        if let tag, root.tag != tag {
            throw TTLVError(.unexpectedTag, offset: 0, tag: root.tag, "expected \(tag.xmlName)")
        }
        self = try Self.decode(root, &context)
    }

    /// This value as a TTLV item under `tag`.
    public func ttlv(tag: Tag, context: EncodingContext = EncodingContext()) -> TTLV {
        var w = TTLVWriter()
        encode(tag: tag, to: &w, context)
        // The bytes were just written by this library, so they are well-formed.
        return try! TTLV(decoding: w.bytes, limits: Limits(maxMessageBytes: .max, maxDepth: 1 << 10, maxItems: .max))
    }
}

/// One field of a `KMIPStruct`.
public struct Field<Root>: Sendable {
    public enum Cardinality: Sendable { case required, optional, repeated }
    public let tag: Tag
    public let cardinality: Cardinality
    /// The first protocol version whose encoding has this field; older encodings leave it out.
    /// Only for fields added to a structure that existed before them: the fields of an operation
    /// introduced later carry no `since`, because a server refuses that operation as a whole.
    public let since: ProtocolVersion
    let decode: @Sendable (inout Root, TTLVElement, inout DecodingContext) throws -> Void
    let encode: @Sendable (Root, inout TTLVWriter, EncodingContext) -> Void

    public init(tag: Tag, cardinality: Cardinality, since: ProtocolVersion,
                decode: @escaping @Sendable (inout Root, TTLVElement, inout DecodingContext) throws -> Void,
                encode: @escaping @Sendable (Root, inout TTLVWriter, EncodingContext) -> Void) {
        self.tag = tag; self.cardinality = cardinality; self.since = since; self.decode = decode; self.encode = encode
    }

    /// A field that must be present. Its property holds a placeholder until decoded.
    public static func required<V: TTLVCodable>(_ tag: Tag, _ kp: WritableKeyPath<Root, V> & Sendable,
                                                since: ProtocolVersion = .v1_0) -> Field {
        let p = Property(kp)
        return Field(tag: tag, cardinality: .required, since: since,
                     decode: { root, e, c in p.write(&root, try V.decode(e, &c)) },
                     encode: { root, w, c in p.read(root) { $0.encode(tag: tag, to: &w, c) } })
    }

    public static func optional<V: TTLVCodable>(_ tag: Tag, _ kp: WritableKeyPath<Root, V?> & Sendable,
                                                since: ProtocolVersion = .v1_0) -> Field {
        let p = Property(kp)
        return Field(tag: tag, cardinality: .optional, since: since,
                     decode: { root, e, c in p.write(&root, try V.decode(e, &c)) },
                     encode: { root, w, c in p.read(root) { $0?.encode(tag: tag, to: &w, c) } })
    }

    public static func repeated<V: TTLVCodable>(_ tag: Tag, _ kp: WritableKeyPath<Root, [V]> & Sendable,
                                                since: ProtocolVersion = .v1_0) -> Field {
        let p = Property(kp)
        return Field(tag: tag, cardinality: .repeated, since: since,
                     decode: { root, e, c in
                         let v = try V.decode(e, &c)
                         p.modify(&root) { $0.append(v) }
                     },
                     encode: { root, w, c in p.read(root) { for v in $0 { v.encode(tag: tag, to: &w, c) } } })
    }

    /// A field whose type depends on fields decoded before it (e.g. a payload on its Operation).
    public static func custom(_ tag: Tag, _ cardinality: Cardinality, since: ProtocolVersion = .v1_0,
                              decode: @escaping @Sendable (inout Root, TTLVElement, inout DecodingContext) throws -> Void,
                              encode: @escaping @Sendable (Root, inout TTLVWriter, EncodingContext) -> Void) -> Field {
        Field(tag: tag, cardinality: cardinality, since: since, decode: decode, encode: encode)
    }
}

/// Reads and writes one stored property. Key path projection is generic and slow at run time, so a
/// stored property is reached at the byte offset the compiler reports for it; anything else (a
/// computed property) falls back to the key path.
struct Property<Root, Value>: @unchecked Sendable {
    let keyPath: WritableKeyPath<Root, Value>
    let offset: Int?

    init(_ keyPath: WritableKeyPath<Root, Value>) {
        self.keyPath = keyPath
        self.offset = MemoryLayout<Root>.offset(of: keyPath)
    }

    @inline(__always) func read<R>(_ root: Root, _ body: (borrowing Value) -> R) -> R {
        guard let offset else { return body(root[keyPath: keyPath]) }
        return withUnsafePointer(to: root) { p in
            body(UnsafeRawPointer(p).advanced(by: offset).assumingMemoryBound(to: Value.self).pointee)
        }
    }

    @inline(__always) func write(_ root: inout Root, _ value: Value) {
        guard let offset else { root[keyPath: keyPath] = value; return }
        withUnsafeMutablePointer(to: &root) { p in
            UnsafeMutableRawPointer(p).advanced(by: offset).assumingMemoryBound(to: Value.self).pointee = value
        }
    }

    @inline(__always) func modify(_ root: inout Root, _ body: (inout Value) -> Void) {
        guard let offset else { body(&root[keyPath: keyPath]); return }
        withUnsafeMutablePointer(to: &root) { p in
            body(&UnsafeMutableRawPointer(p).advanced(by: offset).assumingMemoryBound(to: Value.self).pointee)
        }
    }
}
