#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Textual IPv4/IPv6 address → network-order bytes (4 or 16), via `inet_pton`.
public enum IPAddressBytes {
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = [UInt8](repeating: 0, count: 4)
        if text.withCString({ inet_pton(AF_INET, $0, &v4) }) == 1 { return v4 }
        var v6 = [UInt8](repeating: 0, count: 16)
        // Strip a zone ("fe80::1%eth0") and brackets ("[::1]"), which have no place in a SAN.
        var bare = text
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if let percent = bare.firstIndex(of: "%") { bare = String(bare[..<percent]) }
        if bare.withCString({ inet_pton(AF_INET6, $0, &v6) }) == 1 { return v6 }
        return nil
    }
}
