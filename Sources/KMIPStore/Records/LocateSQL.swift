import KMIP

/// The Locate query, for every SQL dialect (`?` placeholders; each store binds the values its own
/// way): driven by the names index when a Name is given, else by the objects indexes; conditions
/// on other attributes are `seq IN` lookups in the value index. Both schemas share these tables,
/// columns and indexes.
enum LocateSQL {
    /// `noMaximum`: the LIMIT value that means none (SQLite -1, PostgreSQL NULL).
    static func build(scopeID: String, _ q: ObjectQuery, counting: Bool, withAttributes: Bool = false,
                      noMaximum: RecordValue) -> (sql: String, values: [RecordValue]) {
        var filters = ""
        var values: [RecordValue] = []
        func date(_ d: DateTime?) -> RecordValue? { d.map { .integer($0.secondsSince1970) } }
        let conditions: [(String, RecordValue?)] = [
            ("o.object_type = ?", q.objectType.map { .integer(Int64($0.rawValue)) }),
            ("o.state = ?", q.stateAsOf == nil ? q.state.map { .integer(Int64($0.rawValue)) } : nil),
            ("o.algorithm = ?", q.cryptographicAlgorithm.map { .integer(Int64($0.rawValue)) }),
            ("o.length = ?", q.cryptographicLength.map { .integer(Int64($0)) }),
            ("o.object_group = ?", q.objectGroup.map { .text($0) }),
            ("o.initial_date >= ?", date(q.initialDateFrom)),
            ("o.initial_date <= ?", date(q.initialDateTo)),
            ("o.activation_date >= ?", date(q.activationDateFrom)),
            ("o.activation_date <= ?", date(q.activationDateTo)),
            ("o.deactivation_date >= ?", date(q.deactivationDateFrom)),
            ("o.deactivation_date <= ?", date(q.deactivationDateTo)),
            ("o.destroy_date >= ?", date(q.destroyDateFrom)),
            ("o.destroy_date <= ?", date(q.destroyDateTo)),
            ("o.archived = ?", q.requiredArchived.map { .integer($0 ? 1 : 0) }),
        ]
        for case let (clause, value?) in conditions {
            filters += " AND " + clause
            values.append(value)
        }
        if let state = q.state, let now = q.stateAsOf {
            // The effective state (see `ManagedObjectRecord.effectiveState`), in SQL.
            let t = RecordValue.integer(now.secondsSince1970)
            let pa = RecordValue.integer(Int64(State.preActive.rawValue)), a = RecordValue.integer(Int64(State.active.rawValue))
            let activeByNow = "(o.state = ? OR (o.state = ? AND o.activation_date <= ?))"
            switch state {
            case .preActive:
                filters += " AND o.state = ? AND (o.activation_date IS NULL OR o.activation_date > ?)"
                values += [pa, t]
            case .active:
                filters += " AND \(activeByNow) AND (o.deactivation_date IS NULL OR o.deactivation_date > ?)"
                values += [a, pa, t, t]
            case .deactivated:
                filters += " AND (o.state = ? OR (\(activeByNow) AND o.deactivation_date <= ?))"
                values += [.integer(Int64(State.deactivated.rawValue)), a, pa, t, t]
            default:
                filters += " AND o.state = ?"
                values.append(.integer(Int64(state.rawValue)))
            }
        }
        if q.excludesDestroyed {
            filters += " AND o.state NOT IN (?, ?)"
            values += [.integer(Int64(State.destroyed.rawValue)), .integer(Int64(State.destroyedCompromised.rawValue))]
        }
        if let bits = q.cryptographicUsageMask {
            filters += " AND (o.usage_mask & ?) = ?"
            values += [.integer(Int64(bits)), .integer(Int64(bits))]
        }
        for match in q.attributes {
            switch match.condition {
            case .equals(let value):
                filters += " AND o.seq IN (SELECT object_seq FROM object_values WHERE scope_id = ? AND name = ? AND value = ?)"
                values += [.text(scopeID), .text(match.name), .blob(ObjectIndex.encode(value))]
            case .equalsOrAbsent(let value):
                filters += " AND (o.seq IN (SELECT object_seq FROM object_values WHERE scope_id = ? AND name = ? AND value = ?)"
                    + " OR o.seq NOT IN (SELECT object_seq FROM object_values WHERE scope_id = ? AND name = ?))"
                values += [.text(scopeID), .text(match.name), .blob(ObjectIndex.encode(value)),
                           .text(scopeID), .text(match.name)]
            case .range(let from, let to):
                filters += " AND o.seq IN (SELECT object_seq FROM object_values WHERE scope_id = ? AND name = ?"
                    + " AND number IS NOT NULL AND number >= ? AND number <= ?)"
                values += [.text(scopeID), .text(match.name),
                           .integer(from ?? .min), .integer(to ?? .max)]
            }
        }
        var head: [RecordValue] = [.text(scopeID)]
        let select = counting ? "SELECT COUNT(*)" : withAttributes ? "SELECT o.uid, o.attributes" : "SELECT o.uid"
        var sql: String
        let order = q.oldestFirst ? "ASC" : "DESC"
        if let name = q.name {
            head.append(.text(name))
            sql = """
                \(select) FROM object_names n JOIN objects o ON o.seq = n.object_seq
                WHERE n.scope_id = ? AND n.name = ?\(filters)
                """
            if !counting { sql += " ORDER BY n.initial_date \(order), n.object_seq \(order) LIMIT ? OFFSET ?" }
        } else {
            sql = "\(select) FROM objects o WHERE o.scope_id = ?\(filters)"
            if !counting { sql += " ORDER BY o.initial_date \(order), o.seq \(order) LIMIT ? OFFSET ?" }
        }
        let tail: [RecordValue] = counting ? [] :
            [q.maximumItems.map { .integer(Int64(max(0, $0))) } ?? noMaximum, .integer(Int64(max(0, q.offset)))]
        return (sql, head + values + tail)
    }
}
