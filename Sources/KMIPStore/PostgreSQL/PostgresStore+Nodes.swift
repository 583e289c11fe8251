import KMIP
import PostgresNIO

extension PostgresStore: NodeStore {
    public func heartbeat(_ node: NodeRecord) async throws {
        _ = try await rows(PostgresStatement("""
            INSERT INTO nodes (id, api_address, kmip_bind_host, version, started_at, last_heartbeat) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET api_address = EXCLUDED.api_address, kmip_bind_host = EXCLUDED.kmip_bind_host,
                version = EXCLUDED.version, started_at = EXCLUDED.started_at, last_heartbeat = EXCLUDED.last_heartbeat
            """, [.text(node.id), .text(node.apiAddress), node.kmipBindHost.map(RecordValue.text) ?? .null, .text(node.version),
                  .integer(node.startedAt.secondsSince1970), .integer(node.lastHeartbeat.secondsSince1970)]))
    }

    public func nodes() async throws -> [NodeRecord] {
        try await rows(PostgresStatement("""
            SELECT id, api_address, kmip_bind_host, version, started_at, last_heartbeat FROM nodes ORDER BY id COLLATE "C"
            """)).map { row in
            NodeRecord(id: try row.text(0), apiAddress: try row.text(1), kmipBindHost: try row.optionalText(2),
                       version: try row.text(3), startedAt: DateTime(secondsSince1970: try row.int(4)),
                       lastHeartbeat: DateTime(secondsSince1970: try row.int(5)))
        }
    }
}
