import NIOCore

/// A `host:port` as every listener address and client option takes it: `host:port`, `[v6]:port`,
/// and, where a default port applies, `host`, `[v6]` or a bare IPv6 address. The one parser of the
/// package; the address to bind or connect to comes from NIO's `SocketAddress`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets: a name, an IPv4 or an IPv6 address.
    public let host: String
    public let port: Int

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// - Parameters:
    ///   - defaultPort: the port of a text that names none; nil: the port is required.
    ///   - allowsPortZero: a listener may bind port 0 (the system picks one); a client cannot connect to it.
    public init(parsing text: String, defaultPort: Int? = nil, allowsPortZero: Bool = false) throws(ParseError) {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let bad = ParseError(description: "\"\(text)\" is not host:port")
        var host: Substring
        var port: Int?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw bad }
            host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else { throw bad }
                port = p
            }
            guard Self.isIPv6(host) else { throw bad }
        } else if s.filter({ $0 == ":" }).count > 1 {
            // A bare IPv6 address cannot carry a port.
            guard Self.isIPv6(Substring(s)) else { throw bad }
            host = Substring(s)
        } else if let colon = s.lastIndex(of: ":") {
            host = s[..<colon]
            guard let p = Int(s[s.index(after: colon)...]) else { throw bad }
            port = p
        } else {
            host = Substring(s)
        }
        guard let port = port ?? defaultPort else { throw ParseError(description: "\"\(text)\" names no port") }
        guard (allowsPortZero ? 0 : 1)...65535 ~= port else {
            throw ParseError(description: "\"\(text)\": port \(port) is out of range")
        }
        guard !host.isEmpty,
              host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "%" || $0 == "_" })
        else { throw bad }
        self.host = String(host)
        self.port = port
    }

    /// Whether `text` is an IPv4 or IPv6 address (not a name).
    public static func isIPAddress(_ text: String) -> Bool { (try? SocketAddress(ipAddress: text, port: 0)) != nil }

    static func isIPv6(_ text: Substring) -> Bool {
        guard case .v6? = try? SocketAddress(ipAddress: String(text), port: 0) else { return false }
        return true
    }

    /// The address to bind or connect to: an IP address as it is, a name resolved by the system
    /// (blocking: for configuration, not for a request path).
    public func socketAddress() throws -> SocketAddress {
        try SocketAddress.makeAddressResolvingHost(host, port: port)
    }
}
