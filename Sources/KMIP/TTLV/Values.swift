/// Byte String values. Key material uses it too, so neither `description` nor the mirror (`dump`,
/// `String(reflecting:)`) shows more than the length; `hex` gives the bytes on purpose.
public struct ByteString: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible, CustomReflectable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }
    public init(arrayLiteral elements: UInt8...) { self.bytes = elements }
    public var count: Int { bytes.count }
    /// Lower-case hex of the bytes.
    public var hex: String { Hex.encode(bytes) }
    /// From hex text (either case, no separators); nil when it is not hex.
    public init?(hex: String) {
        guard let b = Hex.decode(hex) else { return nil }
        bytes = b
    }
    public var description: String { "ByteString(\(bytes.count) bytes)" }
    public var customMirror: Mirror { Mirror(self, children: ["count": bytes.count]) }

    /// Constant time in the contents (key material, MACs and tags are Byte Strings); only the
    /// lengths are compared early.
    public static func == (a: ByteString, b: ByteString) -> Bool {
        guard a.bytes.count == b.bytes.count else { return false }
        var diff: UInt8 = 0
        for i in a.bytes.indices { diff |= a.bytes[i] ^ b.bytes[i] }
        return diff == 0
    }

    public func hash(into h: inout Hasher) { h.combine(bytes) }
}

/// Date-Time: seconds since the Unix epoch, as a signed 64-bit Long Integer on the wire.
public struct DateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var secondsSince1970: Int64
    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }
    public static func < (a: Self, b: Self) -> Bool { a.secondsSince1970 < b.secondsSince1970 }
    public var description: String { ISO8601.format(secondsSince1970) }
}

/// Date-Time Extended (2.x): microseconds since the Unix epoch.
public struct DateTimeExtended: Hashable, Sendable, Comparable {
    public var microsecondsSince1970: Int64
    public init(microsecondsSince1970: Int64) { self.microsecondsSince1970 = microsecondsSince1970 }
    public static func < (a: Self, b: Self) -> Bool { a.microsecondsSince1970 < b.microsecondsSince1970 }
}

/// Interval: an unsigned number of seconds.
public struct Interval: Hashable, Sendable, Comparable {
    public var seconds: UInt32
    public init(seconds: UInt32) { self.seconds = seconds }
    public static func < (a: Self, b: Self) -> Bool { a.seconds < b.seconds }
}

/// Big Integer: two's complement, big-endian, padded with sign bytes to a multiple of 8.
/// Private key parts (d, p, q…) are Big Integers, so `description` and the mirror show the length only.
public struct BigInteger: Hashable, Sendable, CustomStringConvertible, CustomReflectable {
    /// The encoded bytes exactly as on the wire (length a multiple of 8).
    public var bytes: [UInt8]
    public init(encoded bytes: [UInt8]) { self.bytes = bytes }
    /// From a big-endian unsigned magnitude (e.g. an RSA modulus), sign-extended to a multiple of 8.
    public init(unsigned magnitude: [UInt8]) {
        var m = Array(magnitude.drop(while: { $0 == 0 }))
        if m.isEmpty || m[0] & 0x80 != 0 { m.insert(0, at: 0) }
        let padded = (m.count + 7) / 8 * 8
        self.bytes = [UInt8](repeating: 0, count: padded - m.count) + m
    }
    public var isNegative: Bool { (bytes.first ?? 0) & 0x80 != 0 }
    public var description: String { "BigInteger(\(bytes.count) bytes)" }
    public var customMirror: Mirror { Mirror(self, children: ["count": bytes.count]) }
    /// The magnitude without leading zero bytes, for non-negative values.
    public var unsignedMagnitude: [UInt8] { Array(bytes.drop(while: { $0 == 0 })) }
}

enum Hex {
    static let digits = Array("0123456789abcdef".utf8)
    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
    static func decode<S: StringProtocol>(_ s: S) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// ISO 8601 in UTC without Foundation, for the XML/JSON encodings and the text dump.
enum ISO8601 {
    /// The instants whose year is 0000…9999, which `format` writes and `parse` reads back.
    static let fourDigitYears: ClosedRange<Int64> = days(fromCivil: 0, 1, 1) * 86400...days(fromCivil: 9999, 12, 31) * 86400 + 86399

    static func format(_ t: Int64) -> String {
        // Floor division without overflow at the ends of Int64 (found by fuzzing: `t - 86399` trapped).
        var (days, secs) = t.quotientAndRemainder(dividingBy: 86400)
        if secs < 0 { days -= 1; secs += 86400 }
        let (y, m, d) = civil(fromDays: days)
        func p(_ v: Int64, _ n: Int) -> String { String(v).leftPadded(n) }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(secs / 3600, 2)):\(p(secs / 60 % 60, 2)):\(p(secs % 60, 2))+00:00"
    }

    /// Parses `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`; fractional seconds are dropped.
    static func parse(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        func num(_ a: Int, _ n: Int) -> Int64? {
            guard a + n <= u.count else { return nil }
            var v: Int64 = 0
            for c in u[a..<(a + n)] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard u.count >= 19, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 116, u[13] == 58, u[16] == 58,
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
              let se = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var i = 19
        if i < u.count, u[i] == 46 { i += 1; while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 } }
        var offset: Int64 = 0
        if i == u.count || (u[i] == 90 && i + 1 == u.count) {
        } else if (u[i] == 43 || u[i] == 45), i + 6 == u.count, u[i + 3] == 58, let oh = num(i + 1, 2), let om = num(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (u[i] == 45 ? -1 : 1)
        } else { return nil }
        return days(fromCivil: y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset
    }

    // Howard Hinnant's civil-from-days algorithms.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
