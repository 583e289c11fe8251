import KMIP
import KMIPStore

/// Whether an object may serve a cryptographic operation now: its State, its Process Start /
/// Protect Stop Dates and its Cryptographic Usage Mask (KMIP 1.4 §3.19, §3.25–3.26, §3.22).
///
/// - Protecting (Encrypt, Sign, MAC, wrap) needs an Active object before its Protect Stop Date.
/// - Processing (Decrypt, Signature Verify, MAC Verify, unwrap) needs an Active, Deactivated or
///   Compromised object from its Process Start Date on (a missing date means no restriction).
/// - The usage mask must hold the operation's bit; an object without a usage mask is not restricted.
/// Failures are Permission Denied, the 1.x reason for a use the object does not allow.
enum CryptographicUse {
    enum Direction { case protect, process }

    static func check(_ record: ManagedObjectRecord, usage: CryptographicUsageMask, direction: Direction,
                      now: DateTime) throws {
        let state = record.effectiveState(at: now)
        switch direction {
        case .protect:
            guard state == .active else {
                throw KMIPError(.permissionDenied, "object \(record.uniqueIdentifier) is \(state.name ?? "not Active"); only an Active object can protect data")
            }
            if let stop = record.attributes.date(AttributeName.protectStopDate), now > stop {
                throw KMIPError(.permissionDenied, "object \(record.uniqueIdentifier) is past its Protect Stop Date")
            }
        case .process:
            guard [.active, .deactivated, .compromised].contains(state) else {
                throw KMIPError(.permissionDenied, "object \(record.uniqueIdentifier) is \(state.name ?? "not usable"); it cannot process data")
            }
            if let start = record.attributes.date(AttributeName.processStartDate), now < start {
                throw KMIPError(.permissionDenied, "object \(record.uniqueIdentifier) is before its Process Start Date")
            }
        }
        if let mask = record.attributes.first(AttributeName.cryptographicUsageMask)?.value(as: CryptographicUsageMask.self),
           mask.rawValue & usage.rawValue != usage.rawValue {
            throw KMIPError(.permissionDenied, "the Cryptographic Usage Mask of object \(record.uniqueIdentifier) does not allow this operation")
        }
    }
}

extension KMIPEngine {
    /// The object named by the item (or the ID Placeholder), checked for `usage`, with its value.
    func cryptographicObject(_ requested: String?, _ context: inout OperationContext,
                             usage: CryptographicUsageMask, direction: CryptographicUse.Direction)
        async throws -> (record: ManagedObjectRecord, value: ManagedObject) {
        let record = try await record(requested, context)
        guard !record.state.isDestroyed, let value = try record.value() else {
            throw KMIPError(.itemNotFound, "object \(record.uniqueIdentifier) has been destroyed")
        }
        try CryptographicUse.check(record, usage: usage, direction: direction, now: context.now)
        context.idPlaceholder = record.uniqueIdentifier
        return (record, value)
    }
}
