import KMIPStore
import VaultFramework

/// The server's audit devices as `sys/audit` manages them; the composition root supplies them.
public protocol AuditDeviceControl: Sendable {
    func devices() -> [AuditDeviceRecord]
    /// Opens the device and enables it, for a request of the API.
    /// - Throws: ``APIError`` (invalid) naming what is wrong with the options or the rules.
    func enable(_ record: AuditDeviceRecord) throws -> AuditDeviceRecord
    /// Disables a device enabled through the API. Disabling what is not enabled is not an error.
    /// - Throws: ``APIError`` (invalid) for a device of the config file.
    func disable(path: String) throws
}

/// `sys/audit` (list) and `sys/audit/:path` (enable, disable): audit devices, kept in the store so
/// they survive a restart. Enabling validates the options by opening the device first.
/// Who may call: root-protected as in Vault (`sudo` and the operation's capability), and enabling
/// only where the config allows API devices, files only inside its audit directory; devices of the
/// config file cannot be disabled here.
public enum SysAuditPath {
    public static func paths(store: any SystemStore, audit: any AuditDeviceControl) -> [APIPath] {
        [list(audit), device(store: store, audit: audit)]
    }

    static func list(_ audit: any AuditDeviceControl) -> APIPath {
        APIPath("sys/audit", scope: .system, warnsOnUnknownFields: false, sudo: [.read, .list],
                help: "The enabled audit devices.",
                operations: [.read: { _ in
                    var devices: [String: VaultValue] = [:]
                    for d in audit.devices() {
                        devices[d.path] = .object([
                            "type": .string(d.type), "description": .string(d.description), "path": .string(d.path),
                            "local": false, "options": .object(d.options.mapValues { .string($0) }),
                        ])
                    }
                    return .data(devices, topLevel: devices)
                }])
    }

    static func device(store: any SystemStore, audit: any AuditDeviceControl) -> APIPath {
        APIPath("sys/audit/*path", scope: .system, fields: [
            FieldSchema("type", .string, "The device type: file."),
            FieldSchema("description", .string, default: "", "Free text."),
            FieldSchema("options", .map, "file_path (a file, stdout or discard), fail_closed, mode, prefix."),
            FieldSchema("local", .bool, default: false, "Accepted for Vault compatibility; devices are per server."),
        ], sudo: [.read, .write, .delete], help: "Enable or disable an audit device.", operations: [
            .write: { (ctx: APIContext) async throws -> APIResponse in
                let type = ctx.fields.string("type") ?? ""
                guard type == "file" else { throw APIError.invalid("unknown audit device type \"\(type)\"; use file") }
                var options: [String: String] = [:]
                for (key, value) in ctx.fields.map("options") ?? [:] {
                    options[key] = value.stringValue ?? value.compactJSON
                }
                let record = AuditDeviceRecord(path: ctx.parameter("path"), type: type,
                                               description: ctx.fields.string("description") ?? "", options: options)
                let enabled = try audit.enable(record)
                do { try await store.insertAuditDevice(enabled) } catch {
                    // Not persisted, so not kept: the device would vanish at the next start.
                    try? audit.disable(path: enabled.path)
                    throw APIError.invalid("path already in use at \(enabled.path)")
                }
                return APIResponse(status: 204, body: .none)
            },
            .delete: { (ctx: APIContext) async throws -> APIResponse in
                let path = ctx.parameter("path").hasSuffix("/") ? ctx.parameter("path") : ctx.parameter("path") + "/"
                try audit.disable(path: path)
                // A path never stored (only enabled before a failed insert) has nothing to delete.
                try? await store.deleteAuditDevice(path: path)
                return APIResponse(status: 204, body: .none)
            },
        ])
    }
}
