import KMIP
import KMIPStore

/// The at-rest form of an object's value: its managed-object structure (Symmetric Key, Secret
/// Data…) in TTLV, which the store then encrypts under the keyring.
struct StoredObject: KMIPStruct {
    var object: ManagedObject?
    init() {}
    init(_ object: ManagedObject) { self.object = object }
    static let fields: [Field<Self>] = ManagedObject.fields(\.object)

    /// Wrapped in a Template-Attribute-tagged structure only to give the fields a parent.
    static func seal(_ object: ManagedObject) -> StoredSecret {
        var w = TTLVWriter()
        StoredObject(object).encode(tag: .templateAttribute, to: &w, EncodingContext())
        return StoredSecret(w.bytes)
    }

    static func open(_ secret: StoredSecret) throws -> ManagedObject {
        let limits = Limits(maxMessageBytes: .max, maxDepth: 64, maxItems: .max)
        guard let object = try StoredObject(ttlv: secret.bytes, tag: .templateAttribute,
                                            context: DecodingContext(limits: limits)).object else {
            throw KMIPError(.generalFailure, "stored object value is empty")
        }
        return object
    }
}
