import KMIP

/// An operation the engine answers, declared once, in its handler's file, by conforming the
/// operation's request payload. Everything else reads these declarations: dispatch, Query's
/// operation list, which operations a batch with Undo may hold, the audit log's identifiers and
/// the role flags. An operation whose request payload does not conform answers Operation Not
/// Supported. (docs/architecture.md, "Adding an operation".)
protocol EngineOperation: KMIPStruct {
    associatedtype Response: KMIPStruct
    static var declaration: OperationDeclaration { get }
    /// Runs the operation for `context`'s caller. Objects it creates or changes are journaled
    /// through ``OperationContext`` (``KMIPEngine/insertNew(attributes:value:context:)``,
    /// ``KMIPEngine/modify(_:_:keepValue:archived:inserting:_:)``), which is what Undo reverses.
    func perform(_ engine: KMIPEngine, _ context: inout OperationContext) async throws -> Response
    /// The objects the request names, for the audit log (default: none).
    var auditedObjects: AuditedObjects { get }
    /// The objects the response names, for the audit log (default: none).
    static func auditedObjects(of response: Response) -> [String]
}

/// What the engine knows of an operation besides its payloads.
struct OperationDeclaration: Sendable {
    let operation: Operation
    /// Vault's `operation_*` role flag; nil: only `operation_all` allows the operation.
    let roleFlag: String?
    let undo: UndoSupport
    let work: WorkClass
    /// Every role may call it: it acts only on the caller's own requests (Poll, Cancel), whose
    /// operations its role allowed when they were made.
    let everyRole: Bool

    init(_ operation: Operation, roleFlag: String?, undo: UndoSupport, work: WorkClass = .light, everyRole: Bool = false) {
        self.operation = operation; self.roleFlag = roleFlag; self.undo = undo; self.work = work; self.everyRole = everyRole
    }
}

/// Whether a batch whose Batch Error Continuation Option is Undo may hold the operation.
enum UndoSupport: Sendable {
    /// It reads only, or every object it creates or changes is journaled in the store
    /// transaction that made it, so Undo can remove or restore exactly that.
    case reversible
    /// It changes what Undo cannot restore (an imported object replacing one, the RNG's state, a
    /// key pair and its two predecessors).
    case irreversible
}

/// Where an operation's CPU-heavy step runs.
enum WorkClass: Sendable {
    /// Everything on the caller's task.
    case light
    /// Key generation, private-key operations or key derivation run on the heavy pool, in the
    /// caller's turn (``KMIPEngine/heavyWork(_:_:)``), so one client cannot stall the others.
    case heavy
}

/// The objects a request names, as the audit log records them.
enum AuditedObjects: Sendable {
    case none
    case objects([String])
    /// An optional Unique Identifier that, when omitted, defers to the ID Placeholder.
    case objectOrPlaceholder(String?)
}

extension EngineOperation {
    var auditedObjects: AuditedObjects { .none }
    static func auditedObjects(of response: Response) -> [String] { [] }

    /// Dispatch of a payload decoded as this operation's request.
    static func run(_ engine: KMIPEngine, _ payload: any TTLVCodable, _ context: inout OperationContext) async throws -> any TTLVCodable {
        guard let request = payload as? Self else {
            throw KMIPError(.invalidMessage, "the Request Payload is not a \(Self.self)")
        }
        return try await request.perform(engine, &context)
    }

    /// The response's objects, for a payload the engine holds erased.
    static func auditedObjects(ofResponse payload: (any TTLVCodable)?) -> [String] {
        (payload as? Response).map(auditedObjects(of:)) ?? []
    }
}

/// The operations the engine answers: the request payload types of the KMIP library's registry
/// that declare themselves ``EngineOperation``s.
enum OperationCatalog {
    static let operations: [Operation: any EngineOperation.Type] =
        OperationRegistry.requestPayloads.compactMapValues { $0 as? any EngineOperation.Type }

    /// Operations a batch with Batch Error Continuation Option Undo may hold.
    static let undoable: Set<Operation> = Set(operations.filter { $0.value.declaration.undo == .reversible }.keys)
}

extension KMIPEngine {
    /// Runs CPU-heavy work (key generation, private-key and signature operations, key
    /// derivation) on the heavy pool in the calling credential's turn: never on an event loop or
    /// the cooperative pool that answers everyone's cheap requests. Only operations declared
    /// ``WorkClass/heavy`` use it.
    func heavyWork<T: Sendable>(_ context: OperationContext, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        assert(OperationCatalog.operations[context.operation]?.declaration.work == .heavy,
               "\(context.operation) runs heavy work but is not declared WorkClass.heavy")
        return try await heavy.run(owner: context.streamOwner.client, body)
    }
}
