import Crypto
import X509

/// Random 160-bit positive certificate serials and their decimal text (Vault's `serial_number`).
public enum SerialNumbers {
    /// 20 random bytes, top bit cleared (positive) and first byte non-zero, so the DER INTEGER is
    /// exactly 20 bytes. The first byte is drawn again while it is zero.
    public static func random() -> Certificate.SerialNumber {
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[0] &= 0x7F
        while bytes[0] == 0 { bytes[0] = UInt8.random(in: 0...255, using: &rng) & 0x7F }
        return Certificate.SerialNumber(bytes: bytes)
    }

    /// The decimal text of a serial's unsigned big-endian magnitude.
    public static func decimal(_ serial: Certificate.SerialNumber) -> String {
        decimal(bigEndian: Array(serial.bytes))
    }

    /// The decimal text of an unsigned big-endian integer.
    public static func decimal(bigEndian bytes: [UInt8]) -> String {
        var number = Array(bytes.drop(while: { $0 == 0 }))
        if number.isEmpty { return "0" }
        var digits: [UInt8] = []
        while !number.isEmpty {
            var remainder: UInt32 = 0
            var quotient: [UInt8] = []
            quotient.reserveCapacity(number.count)
            for byte in number {
                let value = remainder << 8 | UInt32(byte)
                let q = UInt8(value / 10)
                remainder = value % 10
                if !(quotient.isEmpty && q == 0) { quotient.append(q) }
            }
            digits.append(UInt8(remainder) + 48)
            number = quotient
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// Parses decimal text into the ASN.1 form of a serial; nil for empty, non-digit or over-long text.
    public static func serial(decimal text: String) -> Certificate.SerialNumber? {
        guard !text.isEmpty, text.utf8.count <= 60, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var bytes: [UInt8] = [0]  // big-endian magnitude
        for digit in text.utf8 {
            var carry = UInt32(digit - 48)
            for i in stride(from: bytes.count - 1, through: 0, by: -1) {
                let value = UInt32(bytes[i]) * 10 + carry
                bytes[i] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            while carry > 0 { bytes.insert(UInt8(carry & 0xFF), at: 0); carry >>= 8 }
        }
        return Certificate.SerialNumber(bytes: bytes)
    }
}
