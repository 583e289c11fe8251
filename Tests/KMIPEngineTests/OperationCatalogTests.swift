import KMIP
import XCTest
@testable import KMIPEngine

/// The operations declared beside their handlers, and what is derived from them.
final class OperationCatalogTests: XCTestCase {
    func testEveryDeclarationNamesTheOperationItsPayloadIsRegisteredFor() {
        for (operation, declared) in OperationCatalog.operations {
            XCTAssertEqual(declared.declaration.operation, operation, "\(declared)")
        }
        XCTAssertTrue(OperationCatalog.operations.keys.contains(.deriveKey))
        XCTAssertTrue(OperationCatalog.operations.keys.contains(.validate))
        XCTAssertNil(OperationCatalog.operations[.certify], "an operation without a handler is not served")
    }

    func testTheRoleFlagsAreVaultsTwentySixInItsOrder() {
        let flags = RoleOperationFlags.flags.map(\.flag)
        XCTAssertEqual(flags.count, 26)
        XCTAssertEqual(flags, flags.sorted())
        // Vault 2.0's API and Terraform spell the key-pair flags `_key_pair`; its docs `_keypair`: both are read.
        XCTAssertEqual(RoleOperationFlags.flag(for: .createKeyPair), "operation_create_key_pair")
        XCTAssertEqual(RoleOperationFlags.flag(for: .reKeyKeyPair), "operation_rekey_key_pair")
        XCTAssertEqual(RoleOperationFlags.operation(forFlag: "operation_create_keypair"), .createKeyPair)
        XCTAssertEqual(RoleOperationFlags.operation(forFlag: "operation_rekey_keypair"), .reKeyKeyPair)
        XCTAssertEqual(RoleOperationFlags.flag(for: .import), "operation_import")
    }

    func testUndoIsRefusedForWhatItCannotRestore() {
        for irreversible: KMIP.Operation in [.import, .rngSeed, .obtainLease] {
            XCTAssertFalse(OperationCatalog.undoable.contains(irreversible), "\(irreversible)")
        }
        for reversible: KMIP.Operation in [.create, .register, .deriveKey, .destroy, .reKey, .reKeyKeyPair, .get] {
            XCTAssertTrue(OperationCatalog.undoable.contains(reversible), "\(reversible)")
        }
    }

    func testAuditIdentifiersComeFromTheDeclarations() {
        var get = GetRequestPayload()
        XCTAssertEqual(AuditIdentifiers.of(request: get, placeholder: "p"), ["p"], "an omitted identifier defers to the ID Placeholder")
        get.uniqueIdentifier = "k"
        XCTAssertEqual(AuditIdentifiers.of(request: get, placeholder: "p"), ["k"])
        XCTAssertEqual(AuditIdentifiers.of(request: QueryRequestPayload(), placeholder: "p"), [])
        var pair = CreateKeyPairResponsePayload()
        pair.privateKeyUniqueIdentifier = "priv"; pair.publicKeyUniqueIdentifier = "pub"
        XCTAssertEqual(AuditIdentifiers.of(response: pair, operation: .createKeyPair), ["priv", "pub"])
        var located = LocateResponsePayload()
        located.uniqueIdentifiers = (0..<100).map { "id\($0)" }
        XCTAssertEqual(AuditIdentifiers.of(response: located, operation: .locate).count, KMIPRequestEvent.maxIdentifiers)
        XCTAssertEqual(AuditIdentifiers.of(response: pair, operation: .locate), [], "a payload of another type names nothing")
    }
}
