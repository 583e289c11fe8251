import COpenSSL

/// Key splitting for KMIP's Create Split Key and Join Split Key (KMIP 1.4 §2.2.5, §4.38–4.39):
/// XOR sharing and Shamir's polynomial sharing over GF(2^8), GF(2^16) or a prime field. Share `i`
/// (1-based) is the polynomial's value at x = i, its Key Part Identifier.
///
/// The binary fields use the polynomials the OASIS test cases were made with (TC-SJ-2/3: the
/// published parts of 0102…10 join only under x^8+x^4+x^3+x^2+1) and x^16+x^12+x^3+x+1, with
/// 16-bit symbols read big-endian. Field products are computed without branches or tables on
/// secret values; the x coordinates (part numbers) are public.
public enum SecretSharing {
    public enum Method: Sendable, Hashable {
        case xor
        case gf256
        case gf65536
        /// Big-endian magnitude of the prime.
        case primeField([UInt8])
    }

    /// Splits `secret` into `parts` shares, any `threshold` of which give it back (XOR: all of them).
    public static func split(_ secret: SecretBytes, parts: Int, threshold: Int, method: Method) throws -> [SecretBytes] {
        try checkCounts(parts: parts, threshold: threshold, method: method)
        guard !secret.isEmpty, secret.count <= CryptoLimits.maxSplitSecretLength else {
            throw CryptoError.invalidField("a split secret is 1 to \(CryptoLimits.maxSplitSecretLength) bytes")
        }
        switch method {
        case .xor: return try xorSplit(secret, parts: parts)
        case .gf256: return try BinaryField.gf256.split(secret, parts: parts, threshold: threshold)
        case .gf65536: return try BinaryField.gf65536.split(secret, parts: parts, threshold: threshold)
        case .primeField(let prime): return try PrimeField(prime).split(secret, parts: parts, threshold: threshold)
        }
    }

    /// The secret from `shares` (Key Part Identifier, value). Fewer shares than `threshold`, or
    /// shares beyond the threshold that do not lie on the same polynomial, are a Cryptographic
    /// Failure. `length`: the secret's length in bytes, for the prime field (default: the prime's).
    public static func join(_ shares: [(index: Int, value: SecretBytes)], parts: Int, threshold: Int,
                            method: Method, length: Int? = nil) throws -> SecretBytes {
        try checkCounts(parts: parts, threshold: threshold, method: method)
        guard shares.count >= threshold else {
            throw CryptoError.cryptographicFailure("\(shares.count) of the \(threshold) parts needed were given")
        }
        guard Set(shares.map(\.index)).count == shares.count, shares.allSatisfy({ (1...parts).contains($0.index) }) else {
            throw CryptoError.invalidField("the parts must be distinct parts 1 to \(parts) of one split")
        }
        guard let size = shares.first?.value.count, size > 0, shares.allSatisfy({ $0.value.count == size }) else {
            throw CryptoError.invalidField("the parts of one split have one length")
        }
        switch method {
        case .xor:
            return SecretBytes(count: size) { out in
                for share in shares { share.value.withUnsafeBytes { s in for k in 0..<size { out[k] ^= s[k] } } }
            }
        case .gf256: return try BinaryField.gf256.join(shares, threshold: threshold)
        case .gf65536: return try BinaryField.gf65536.join(shares, threshold: threshold)
        case .primeField(let prime): return try PrimeField(prime).join(shares, parts: parts, threshold: threshold, length: length)
        }
    }

    /// Refuses counts no split can have, before any key is read.
    public static func checkCounts(parts: Int, threshold: Int, method: Method) throws {
        guard (2...CryptoLimits.maxSplitKeyParts).contains(parts) else {
            throw CryptoError.invalidField("a key is split into 2 to \(CryptoLimits.maxSplitKeyParts) parts, not \(parts)")
        }
        // A threshold of 1 would make every part the key itself.
        guard (2...parts).contains(threshold) else {
            throw CryptoError.invalidField("the Split Key Threshold is 2 to the number of parts (\(parts)), not \(threshold)")
        }
        if method == .xor, threshold != parts {
            throw CryptoError.invalidField("XOR splitting needs every part: its threshold is the number of parts")
        }
    }

    /// Random parts 1…n-1; the last is the secret XOR all of them.
    static func xorSplit(_ secret: SecretBytes, parts: Int) throws -> [SecretBytes] {
        var shares: [SecretBytes] = []
        for _ in 1..<parts { shares.append(try RNG.retrieve(count: secret.count, maximum: CryptoLimits.maxSplitSecretLength)) }
        let last = SecretBytes(count: secret.count) { out in
            secret.withUnsafeBytes { s in for k in 0..<secret.count { out[k] = s[k] } }
            for share in shares { share.withUnsafeBytes { r in for k in 0..<secret.count { out[k] ^= r[k] } } }
        }
        return shares + [last]
    }
}

/// GF(2^m) for m = 8 or 16, elements held in the low bits of a UInt32.
struct BinaryField {
    let bits: Int
    /// The reduction polynomial, x^m term included.
    let polynomial: UInt32

    static let gf256 = BinaryField(bits: 8, polynomial: 0x11D)
    static let gf65536 = BinaryField(bits: 16, polynomial: 0x1100B)

    var symbolBytes: Int { bits / 8 }

    /// Carry-less multiply and reduce in a fixed number of steps with masks, never branching on a
    /// or b.
    func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var a = a, b = b, product: UInt32 = 0
        for _ in 0..<bits {
            product ^= a & (0 &- (b & 1))
            b >>= 1
            a <<= 1
            a ^= polynomial & (0 &- ((a >> UInt32(bits)) & 1))
        }
        return product
    }

    /// a^(2^m - 2), the inverse of a non-zero a.
    func inverse(_ a: UInt32) -> UInt32 {
        var result: UInt32 = 1, base = a, exponent = (UInt32(1) << UInt32(bits)) - 2
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    func symbols(_ bytes: UnsafeRawBufferPointer) -> [UInt32] {
        stride(from: 0, to: bytes.count, by: symbolBytes).map { i in
            symbolBytes == 1 ? UInt32(bytes[i]) : UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
        }
    }

    func write(_ symbols: [UInt32], to out: UnsafeMutableRawBufferPointer) {
        for (i, s) in symbols.enumerated() {
            if symbolBytes == 1 { out[i] = UInt8(s) } else { out[2 * i] = UInt8(s >> 8); out[2 * i + 1] = UInt8(s & 0xFF) }
        }
    }

    func split(_ secret: SecretBytes, parts: Int, threshold: Int) throws -> [SecretBytes] {
        guard secret.count % symbolBytes == 0 else {
            throw CryptoError.invalidField("Polynomial Sharing GF(2^16) splits secrets of whole 16-bit symbols; this one is \(secret.count) bytes")
        }
        guard parts < 1 << bits else { throw CryptoError.invalidField("GF(2^\(bits)) has room for \((1 << bits) - 1) parts") }
        let random = try RNG.retrieve(count: secret.count * (threshold - 1), maximum: CryptoLimits.maxSplitSecretLength * CryptoLimits.maxSplitKeyParts)
        var s = secret.withUnsafeBytes { symbols($0) }
        var coefficients = random.withUnsafeBytes { symbols($0) }
        defer { wipe(&s); wipe(&coefficients) }
        let count = s.count
        return (1...parts).map { part in
            let x = UInt32(part)
            var y = [UInt32](repeating: 0, count: count)
            defer { wipe(&y) }
            for k in 0..<count {
                // Horner: ((c_{t-1} x + c_{t-2}) x + … + c_1) x + secret
                var value: UInt32 = 0
                for degree in stride(from: threshold - 1, through: 1, by: -1) {
                    value = multiply(value, x) ^ coefficients[(degree - 1) * count + k]
                }
                y[k] = multiply(value, x) ^ s[k]
            }
            return SecretBytes(count: secret.count) { write(y, to: $0) }
        }
    }

    func join(_ shares: [(index: Int, value: SecretBytes)], threshold: Int) throws -> SecretBytes {
        let size = shares[0].value.count
        guard size % symbolBytes == 0 else { throw CryptoError.invalidField("GF(2^16) parts hold whole 16-bit symbols") }
        let basis = Array(shares.prefix(threshold))
        let xs = basis.map { UInt32($0.index) }
        var ys = basis.map { share in share.value.withUnsafeBytes { symbols($0) } }
        defer { for i in ys.indices { wipe(&ys[i]) } }
        var secret = interpolate(xs, ys, at: 0)
        defer { wipe(&secret) }
        // Parts beyond the threshold must lie on the same polynomial.
        var mismatch: UInt32 = 0
        for extra in shares.dropFirst(threshold) {
            var expected = interpolate(xs, ys, at: UInt32(extra.index))
            let given = extra.value.withUnsafeBytes { symbols($0) }
            for k in expected.indices { mismatch |= expected[k] ^ given[k] }
            wipe(&expected)
        }
        guard mismatch == 0 else { throw CryptoError.cryptographicFailure("the parts do not belong to one split") }
        return SecretBytes(count: size) { write(secret, to: $0) }
    }

    /// Lagrange interpolation at `x` (addition and subtraction are XOR).
    func interpolate(_ xs: [UInt32], _ ys: [[UInt32]], at x: UInt32) -> [UInt32] {
        var result = [UInt32](repeating: 0, count: ys[0].count)
        for j in xs.indices {
            var numerator: UInt32 = 1, denominator: UInt32 = 1
            for m in xs.indices where m != j {
                numerator = multiply(numerator, x ^ xs[m])
                denominator = multiply(denominator, xs[j] ^ xs[m])
            }
            let weight = multiply(numerator, inverse(denominator))
            for k in result.indices { result[k] ^= multiply(ys[j][k], weight) }
        }
        return result
    }

    func wipe(_ values: inout [UInt32]) {
        values.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
    }
}

/// GF(p) for a prime p: the secret is one element, read as a big-endian integer below p; each part
/// is an element written as many bytes as p takes.
struct PrimeField {
    let prime: BigNum
    let ctx: BigNumContext
    let byteCount: Int

    init(_ magnitude: [UInt8]) throws {
        let p = try BigNum(unsigned: magnitude)
        guard p.bitCount >= 8, p.bitCount <= CryptoLimits.maxPrimeFieldBits else {
            throw CryptoError.invalidField("the Prime Field Size is 8 to \(CryptoLimits.maxPrimeFieldBits) bits")
        }
        ctx = try BigNumContext()
        guard BN_check_prime(p.bn, ctx.ctx, nil) == 1 else { throw CryptoError.invalidField("the Prime Field Size is not a prime") }
        prime = p
        byteCount = (p.bitCount + 7) / 8
    }

    func element(_ value: Int) throws -> BigNum { try BigNum(UInt64(value)) }

    /// r = op(a, b) mod p. Every operand is kept alive for the call: a BIGNUM pointer read from a
    /// `BigNum` whose last use that read was could otherwise be freed before OpenSSL used it.
    func modular(_ op: (OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32,
                 _ r: BigNum, _ a: BigNum, _ b: BigNum) throws {
        try withExtendedLifetime((r, a, b)) { try check(op(r.bn, a.bn, b.bn, prime.bn, ctx.ctx), "BN_mod_*") }
    }

    func compare(_ a: BigNum, _ b: BigNum) throws -> Int32 {
        withExtendedLifetime((a, b)) { BN_cmp(a.bn, b.bn) }
    }

    func bytes(_ n: BigNum, count: Int) throws -> SecretBytes {
        try SecretBytes(count: count) { out in
            guard BN_bn2binpad(n.bn, out.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) == Int32(count) else {
                throw CryptoError.cryptographicFailure("the joined secret is longer than \(count) bytes")
            }
        }
    }

    /// Part numbers must be distinct non-zero elements: a part at x ≡ 0 would be the secret.
    func checkRoom(parts: Int) throws {
        guard try compare(try element(parts), prime) < 0 else {
            throw CryptoError.invalidField("the Prime Field Size must exceed the number of parts")
        }
    }

    func split(_ secret: SecretBytes, parts: Int, threshold: Int) throws -> [SecretBytes] {
        try checkRoom(parts: parts)
        let s = try secret.withUnsafeBytes { try BigNum(unsigned: Array($0)) }
        guard try compare(s, prime) < 0 else {
            throw CryptoError.invalidField("the secret is not below the Prime Field Size; choose a larger prime")
        }
        let coefficients = try (1..<threshold).map { _ in
            let c = try BigNum()
            try withExtendedLifetime(c) { try check(BN_priv_rand_range(c.bn, prime.bn), "BN_priv_rand_range") }
            return c
        }
        return try (1...parts).map { part in
            let x = try element(part)
            let y = try BigNum()
            for c in coefficients.reversed() {
                try modular(BN_mod_mul, y, y, x)
                try modular(BN_mod_add, y, y, c)
            }
            try modular(BN_mod_mul, y, y, x)
            try modular(BN_mod_add, y, y, s)
            return try bytes(y, count: byteCount)
        }
    }

    func join(_ shares: [(index: Int, value: SecretBytes)], parts: Int, threshold: Int, length: Int?) throws -> SecretBytes {
        try checkRoom(parts: parts)
        let ys = try shares.map { share in try share.value.withUnsafeBytes { try BigNum(unsigned: Array($0)) } }
        guard try ys.allSatisfy({ try compare($0, prime) < 0 }) else { throw CryptoError.invalidField("a part is not an element of the prime field") }
        let xs = try shares.map { try element($0.index) }
        let basis = Array(0..<threshold)
        let secret = try interpolate(xs, ys, basis, at: try BigNum(0))
        for extra in threshold..<shares.count {
            let expected = try interpolate(xs, ys, basis, at: xs[extra])
            guard try compare(expected, ys[extra]) == 0 else {
                throw CryptoError.cryptographicFailure("the parts do not belong to one split")
            }
        }
        return try bytes(secret, count: length ?? byteCount)
    }

    /// Σ y_j Π (x − x_m)/(x_j − x_m) mod p over the parts in `basis`.
    func interpolate(_ xs: [BigNum], _ ys: [BigNum], _ basis: [Int], at x: BigNum) throws -> BigNum {
        let sum = try BigNum(0)
        for j in basis {
            let numerator = try BigNum(1), denominator = try BigNum(1), t = try BigNum()
            for m in basis where m != j {
                try modular(BN_mod_sub, t, x, xs[m])
                try modular(BN_mod_mul, numerator, numerator, t)
                try modular(BN_mod_sub, t, xs[j], xs[m])
                try modular(BN_mod_mul, denominator, denominator, t)
            }
            guard withExtendedLifetime(denominator, { BN_mod_inverse(denominator.bn, denominator.bn, prime.bn, ctx.ctx) }) != nil else {
                throw CryptoError.invalidField("the Prime Field Size is too small for these part numbers")
            }
            try modular(BN_mod_mul, t, numerator, denominator)
            try modular(BN_mod_mul, t, t, ys[j])
            try modular(BN_mod_add, sum, sum, t)
        }
        return sum
    }
}
