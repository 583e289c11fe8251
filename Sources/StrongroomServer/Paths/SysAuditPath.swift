import KMIPStore
import StrongroomAPI
import StrongroomObservability

/// `sys/audit` (list) and `sys/audit/:path` (enable, disable): audit devices, kept in the store so
/// they survive a restart. Enabling validates the options by opening the device first.
/// Who may call: root-protected as in Vault (`sudo` and the operation's capability), and enabling
/// only where the config allows API devices, files only inside its audit directory
/// (``AuditRules``); devices of the config file cannot be disabled here.
enum SysAuditPath {
    static func paths(store: any SystemStore, observability: Observability) -> [APIPath] {
        [list(observability), device(store: store, observability: observability)]
    }

    static func list(_ observability: Observability) -> APIPath {
        APIPath("sys/audit", scope: .system, warnsOnUnknownFields: false, sudo: [.read, .list],
                help: "The enabled audit devices.",
                operations: [.read: { _ in
                    var devices: [String: APIValue] = [:]
                    for d in observability.audit.devices() {
                        devices[d.path] = .object([
                            "type": .string(d.type), "description": .string(d.description), "path": .string(d.path),
                            "local": false, "options": .object(d.options.mapValues { .string($0) }),
                        ])
                    }
                    return .data(devices, topLevel: devices)
                }])
    }

    static func device(store: any SystemStore, observability: Observability) -> APIPath {
        APIPath("sys/audit/*path", scope: .system, fields: [
            APIField("type", .string, "The device type: file."),
            APIField("description", .string, default: "", "Free text."),
            APIField("options", .map, "file_path (a file, stdout or discard), fail_closed, mode, prefix."),
            APIField("local", .bool, default: false, "Accepted for Vault compatibility; devices are per server."),
        ], sudo: [.read, .write, .delete], help: "Enable or disable an audit device.", operations: [
            .write: { (ctx: APIContext) async throws -> APIResponse in
                let type = ctx.fields["type"]?.stringValue ?? ""
                guard type == "file" else { throw APIError.invalid("unknown audit device type \"\(type)\"; use file") }
                var options: [String: String] = [:]
                if case .object(let given)? = ctx.fields["options"] {
                    for (key, value) in given { options[key] = value.stringValue ?? value.boolValue.map(String.init) ?? "\(value)" }
                }
                let record = AuditDeviceRecord(path: ctx.parameter("path"), type: type,
                                               description: ctx.fields["description"]?.stringValue ?? "", options: options)
                let enabled: AuditDeviceRecord
                do { enabled = try observability.audit.enable(record, origin: .api) } catch let error as AuditError {
                    throw APIError.invalid(error.message)
                }
                do { try await store.insertAuditDevice(enabled) } catch {
                    try? observability.audit.disable(path: enabled.path)
                    throw APIError.invalid("path already in use at \(enabled.path)")
                }
                return APIResponse(status: 204, body: .none)
            },
            .delete: { (ctx: APIContext) async throws -> APIResponse in
                let path = ctx.parameter("path").hasSuffix("/") ? ctx.parameter("path") : ctx.parameter("path") + "/"
                // Disabling what is not enabled is not an error (Vault); a declared device is.
                do { try observability.audit.disable(path: path, origin: .api) } catch let error as AuditError where error.kind == .invalidOption {
                    throw APIError.invalid(error.message)
                } catch {}
                try? await store.deleteAuditDevice(path: path)
                return APIResponse(status: 204, body: .none)
            },
        ])
    }
}
