import Foundation

/// Counters, gauges and histograms with Prometheus text exposition (format 0.0.4).
///
/// Each family holds its own lock and a dictionary keyed by label values, so recording is one lock
/// and one hash lookup. Label *names* are fixed per family; callers keep label *values* bounded
/// (operation names, result reasons, status codes — never identifiers, serials or paths with ids).
public final class MetricsRegistry: Sendable {
    private let families = Locked<[any MetricFamily]>([])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        register(Counter(name: name, help: help, labelNames: labels))
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        register(Gauge(name: name, help: help, labelNames: labels))
    }

    public func histogram(_ name: String, help: String, labels: [String] = [], buckets: [Double]) -> Histogram {
        register(Histogram(name: name, help: help, labelNames: labels, buckets: buckets))
    }

    private func register<F: MetricFamily>(_ family: F) -> F {
        families.withLock { $0.append(family) }
        return family
    }

    /// Every family in registration order, each sample sorted by its label values.
    public func prometheusText() -> String {
        var out = ""
        for family in families.withLock({ $0 }) { family.write(to: &out) }
        return out
    }
}

protocol MetricFamily: Sendable {
    func write(to out: inout String)
}

/// A monotonically increasing count per label set.
public final class Counter: MetricFamily {
    let name: String, help: String, labelNames: [String]
    private let values = Locked<[[String]: Double]>([:])

    init(name: String, help: String, labelNames: [String]) { self.name = name; self.help = help; self.labelNames = labelNames }

    public func increment(_ labels: [String] = [], by amount: Double = 1) {
        precondition(labels.count == labelNames.count, "\(name) takes \(labelNames.count) labels")
        values.withLock { $0[labels, default: 0] += amount }
    }

    public func value(_ labels: [String] = []) -> Double { values.withLock { $0[labels] ?? 0 } }

    func write(to out: inout String) {
        Exposition.header(&out, name, help, "counter")
        for (labels, value) in values.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            Exposition.sample(&out, name, labelNames, labels, value)
        }
    }
}

/// A value that goes up and down (open connections). A family without labels always shows a sample.
public final class Gauge: MetricFamily {
    let name: String, help: String, labelNames: [String]
    private let values = Locked<[[String]: Double]>([:])

    init(name: String, help: String, labelNames: [String]) {
        self.name = name; self.help = help; self.labelNames = labelNames
        if labelNames.isEmpty { values.withLock { $0[[]] = 0 } }
    }

    public func add(_ amount: Double, _ labels: [String] = []) {
        precondition(labels.count == labelNames.count, "\(name) takes \(labelNames.count) labels")
        values.withLock { $0[labels, default: 0] += amount }
    }

    public func set(_ value: Double, _ labels: [String] = []) { values.withLock { $0[labels] = value } }

    public func value(_ labels: [String] = []) -> Double { values.withLock { $0[labels] ?? 0 } }

    func write(to out: inout String) {
        Exposition.header(&out, name, help, "gauge")
        for (labels, value) in values.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            Exposition.sample(&out, name, labelNames, labels, value)
        }
    }
}

/// Observations counted into fixed buckets. Stored per bucket; made cumulative (with `+Inf`, `_sum`
/// and `_count`) only when exposed.
public final class Histogram: MetricFamily {
    struct Series: Sendable {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    let name: String, help: String, labelNames: [String]
    /// Upper bounds, ascending, without `+Inf`.
    let buckets: [Double]
    private let series = Locked<[[String]: Series]>([:])

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        precondition(!buckets.isEmpty && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "buckets must ascend")
        self.name = name; self.help = help; self.labelNames = labelNames; self.buckets = buckets
    }

    public func observe(_ value: Double, _ labels: [String] = []) {
        precondition(labels.count == labelNames.count, "\(name) takes \(labelNames.count) labels")
        // The first bucket whose bound holds the value; `buckets.count` stands for +Inf only.
        let index = buckets.firstIndex { value <= $0 } ?? buckets.count
        let width = buckets.count + 1
        series.withLock { all in
            all[labels, default: Series(counts: Array(repeating: 0, count: width))].record(index, value)
        }
    }

    /// Observations so far for `labels` (count, sum).
    public func summary(_ labels: [String] = []) -> (count: UInt64, sum: Double) {
        series.withLock { all in all[labels].map { ($0.count, $0.sum) } ?? (0, 0) }
    }

    func write(to out: inout String) {
        Exposition.header(&out, name, help, "histogram")
        let names = labelNames + ["le"]
        for (labels, s) in series.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var cumulative: UInt64 = 0
            for (i, bound) in buckets.enumerated() {
                cumulative += s.counts[i]
                Exposition.sample(&out, name + "_bucket", names, labels + [Exposition.number(bound)], Double(cumulative))
            }
            Exposition.sample(&out, name + "_bucket", names, labels + ["+Inf"], Double(s.count))
            Exposition.sample(&out, name + "_sum", labelNames, labels, s.sum)
            Exposition.sample(&out, name + "_count", labelNames, labels, Double(s.count))
        }
    }
}

extension Histogram.Series {
    mutating func record(_ index: Int, _ value: Double) {
        counts[index] += 1
        sum += value
        count += 1
    }
}

/// The text format's spelling rules.
enum Exposition {
    static func header(_ out: inout String, _ name: String, _ help: String, _ type: String) {
        out += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    static func sample(_ out: inout String, _ name: String, _ labelNames: [String], _ labels: [String], _ value: Double) {
        out += name
        if !labelNames.isEmpty {
            out += "{"
            for (i, (key, value)) in zip(labelNames, labels).enumerated() {
                if i > 0 { out += "," }
                out += "\(key)=\"\(escapeLabel(value))\""
            }
            out += "}"
        }
        out += " \(number(value))\n"
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabel(_ s: String) -> String {
        guard s.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// HELP text escapes backslash and line feed only.
    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction; `+Inf`, `-Inf`, `NaN` as the format spells them.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
