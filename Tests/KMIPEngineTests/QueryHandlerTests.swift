import KMIP
import KMIPStore
import XCTest
@testable import KMIPEngine

/// Query through `respond(to:client:)`, decoded as a client of each version sees it.
final class QueryHandlerTests: XCTestCase {
    private func query(_ h: EngineHarness, _ functions: [QueryFunction], version: ProtocolVersion = .v1_4,
                       file: StaticString = #filePath, line: UInt = #line) async throws -> QueryResponsePayload {
        try await h.succeed(.query, QueryRequestPayload(functions), QueryResponsePayload.self, version: version, file: file, line: line)
    }

    func testQueryOperationsListsTheRegisteredOperationsInOrder() async throws {
        let h = try await EngineHarness.make()
        let r = try await query(h, [.queryOperations])
        XCTAssertEqual(r.operations, OperationCatalog.operations.keys.sorted { $0.rawValue < $1.rawValue })
        for operation in [KMIP.Operation.create, .register, .get, .locate, .getAttributes, .getAttributeList, .addAttribute,
                          .modifyAttribute, .deleteAttribute, .query, .discoverVersions] {
            XCTAssertTrue(r.operations.contains(operation), "\(operation)")
        }
        // Only what was asked.
        XCTAssertEqual(r.objectTypes, [])
        XCTAssertNil(r.vendorIdentification)
        XCTAssertEqual(r.capabilityInformation, [])
    }

    func testQueryObjectsAndServerInformation() async throws {
        let h = try await EngineHarness.make()
        let r = try await query(h, [.queryObjects, .queryServerInformation], version: .v1_0)
        XCTAssertEqual(r.objectTypes, [.symmetricKey, .secretData, .opaqueObject, .publicKey, .privateKey, .certificate, .splitKey, .template])
        XCTAssertEqual(r.vendorIdentification, "Strongroom")
        guard case .structure(let children)? = r.serverInformation?.value else {
            return XCTFail("Server Information is a structure")
        }
        XCTAssertEqual(children.first?.value, .textString("Strongroom \(KMIPEngine.serverVersion)"))
        XCTAssertEqual(r.operations, [])
    }

    func testQueryFunctionsWithNothingToReport() async throws {
        let h = try await EngineHarness.make()
        let r = try await query(h, [.queryApplicationNamespaces, .queryExtensionList, .queryExtensionMap, .queryAttestationTypes,
                                    .queryValidations])
        XCTAssertEqual(r, QueryResponsePayload())
    }

    func testQueryRNGs() async throws {
        let h = try await EngineHarness.make()
        let r = try await query(h, [.queryRNGs])
        XCTAssertEqual(r.rngParameters.count, 1)
        let rng = try XCTUnwrap(r.rngParameters.first)
        XCTAssertEqual(rng.rngAlgorithm, .drbg)
        XCTAssertEqual(rng.drbgAlgorithm, .ctr)
        XCTAssertEqual(rng.cryptographicAlgorithm, .aes)
        XCTAssertEqual(rng.cryptographicLength, 256)
    }

    func testQueryProfilesFollowTheRequestVersion() async throws {
        let h = try await EngineHarness.make()
        let v14 = try await query(h, [.queryProfiles])
        XCTAssertEqual(v14.profileInformation.map(\.profileName), [
            .baselineServerBasicKMIPV12, .baselineServerTLSV12KMIPV12, .baselineServerBasicKMIPV13,
            .baselineServerTLSV12KMIPV13, .baselineServerBasicKMIPV14, .baselineServerTLSV12KMIPV14,
        ])
        let v13 = try await query(h, [.queryProfiles], version: .v1_3)
        XCTAssertEqual(v13.profileInformation.map(\.profileName), [
            .baselineServerBasicKMIPV12, .baselineServerTLSV12KMIPV12, .baselineServerBasicKMIPV13, .baselineServerTLSV12KMIPV13,
        ])
    }

    func testQueryCapabilitiesAndClientRegistrationMethods() async throws {
        let h = try await EngineHarness.make()
        let r = try await query(h, [.queryCapabilities, .queryClientRegistrationMethods])
        let c = try XCTUnwrap(r.capabilityInformation.first)
        XCTAssertEqual(c.streamingCapability, true)
        XCTAssertEqual(c.asynchronousCapability, false)
        XCTAssertEqual(c.attestationCapability, false)
        XCTAssertEqual(c.batchUndoCapability, false)
        XCTAssertEqual(c.batchContinueCapability, true)
        XCTAssertEqual(c.unwrapMode, .notProcessed)
        XCTAssertEqual(c.destroyAction, .keyMaterialShredded)
        XCTAssertEqual(r.clientRegistrationMethods, [.unspecified])
        // 1.3 has no batch capabilities.
        let v13 = try await query(h, [.queryCapabilities], version: .v1_3)
        XCTAssertEqual(v13.capabilityInformation.first?.streamingCapability, true)
        XCTAssertNil(v13.capabilityInformation.first?.batchUndoCapability)
        XCTAssertNil(v13.capabilityInformation.first?.batchContinueCapability)
    }

    func testFieldsNewerThanTheVersionAreDropped() async throws {
        let h = try await EngineHarness.make()
        let r = try await query(h, [.queryOperations, .queryRNGs, .queryCapabilities], version: .v1_2)
        XCTAssertFalse(r.operations.isEmpty)
        XCTAssertEqual(r.rngParameters, [])
        XCTAssertEqual(r.capabilityInformation, [])
    }
}
