import Foundation

enum Measure {
    /// Operations per second of `body` on this thread, run in batches of `batch` until `seconds` have passed.
    static func rate(seconds: Double, batch: Int = 1_000, _ body: () -> Void) -> Double {
        for _ in 0..<min(batch, 100) { body() }
        let clock = ContinuousClock()
        let start = clock.now
        let limit = Duration.milliseconds(Int(seconds * 1_000))
        var count = 0
        while true {
            for _ in 0..<batch { body() }
            count += batch
            let elapsed = clock.now - start
            if elapsed >= limit {
                return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        }
    }

    static func report(_ name: String, _ rate: Double) {
        let padded = name.padding(toLength: 26, withPad: " ", startingAt: 0)
        print("\(padded) \(Int(rate).formatted()) ops/s  (\(String(format: "%.2f", 1e6 / rate)) µs/op)")
    }
}
