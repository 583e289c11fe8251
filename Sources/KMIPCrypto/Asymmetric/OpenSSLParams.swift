import COpenSSL

/// A C string that lives for the whole process: OpenSSL keeps some name pointers it is given
/// (encoder and decoder types and structures) without copying them.
struct StaticCString: @unchecked Sendable {
    let pointer: UnsafePointer<CChar>
    init(_ s: String) {
        let utf8 = Array(s.utf8) + [0]
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        for (i, c) in utf8.enumerated() { p[i] = CChar(bitPattern: c) }
        pointer = UnsafePointer(p)
    }

    static let der = StaticCString("DER")
    static let pem = StaticCString("PEM")
    static let privateKeyInfo = StaticCString("PrivateKeyInfo")
    static let subjectPublicKeyInfo = StaticCString("SubjectPublicKeyInfo")
    static let typeSpecific = StaticCString("type-specific")
    static let rsa = StaticCString("RSA")
    static let ec = StaticCString("EC")
    static let ed25519 = StaticCString("ED25519")
}

/// An OpenSSL BIGNUM, cleared when freed (it may hold a private exponent or a prime).
final class BigNum {
    let bn: OpaquePointer

    init() throws {
        guard let bn = BN_secure_new() ?? BN_new() else { throw CryptoError.openSSL("BN_new") }
        self.bn = bn
    }

    /// Takes ownership of `bn`.
    init(owning bn: OpaquePointer) { self.bn = bn }

    /// From a big-endian unsigned magnitude.
    convenience init(unsigned bytes: [UInt8]) throws {
        try self.init()
        guard BN_bin2bn(bytes, Int32(bytes.count), bn) != nil else { throw CryptoError.openSSL("BN_bin2bn") }
    }

    convenience init(_ value: UInt64) throws {
        try self.init()
        try check(BN_set_word(bn, UInt(value)), "BN_set_word")
    }

    deinit { BN_clear_free(bn) }

    var bitCount: Int { Int(BN_num_bits(bn)) }
    var isZero: Bool { BN_is_zero(bn) == 1 }
    var isOdd: Bool { BN_is_odd(bn) == 1 }

    /// Big-endian magnitude, without leading zeros (one zero byte for 0).
    var unsignedBytes: [UInt8] {
        let n = Int((BN_num_bits(bn) + 7) / 8)
        var out = [UInt8](repeating: 0, count: max(n, 1))
        if n > 0 { _ = BN_bn2bin(bn, &out) }
        return out
    }
}

/// A BN_CTX for arithmetic (CRT values, range checks).
final class BigNumContext {
    let ctx: OpaquePointer
    init() throws {
        guard let ctx = BN_CTX_secure_new() ?? BN_CTX_new() else { throw CryptoError.openSSL("BN_CTX_new") }
        self.ctx = ctx
    }
    deinit { BN_CTX_free(ctx) }
}

/// An OSSL_PARAM array built with OSSL_PARAM_BLD (which copies what is pushed); cleared when freed.
/// OSSL_PARAM_BLD keeps pointers to what is pushed (keys, strings, octets, BIGNUMs) until
/// `OSSL_PARAM_BLD_to_param`, and the array keeps pointing at the keys: every pushed buffer is
/// owned here, wiped and freed with the array.
final class OSSLParams {
    let params: UnsafeMutablePointer<OSSL_PARAM>
    let owned: [UnsafeMutableRawBufferPointer]

    init(_ build: (ParamBuilder) throws -> Void) throws {
        let b = try ParamBuilder()
        do {
            try build(b)
            guard let p = OSSL_PARAM_BLD_to_param(b.bld) else { throw CryptoError.openSSL("OSSL_PARAM_BLD_to_param") }
            params = p
            owned = b.owned
        } catch {
            ParamBuilder.release(b.owned)
            throw error
        }
    }

    deinit {
        OSSLParams.clearFree(params)
        ParamBuilder.release(owned)
    }

    /// Wipes every value of a parameter array (it may hold private key components), then frees it.
    static func clearFree(_ params: UnsafeMutablePointer<OSSL_PARAM>?) {
        guard let params else { return }
        var p = params
        while p.pointee.key != nil {
            if let data = p.pointee.data, p.pointee.data_size > 0 { OPENSSL_cleanse(data, p.pointee.data_size) }
            p += 1
        }
        OSSL_PARAM_free(params)
    }
}

final class ParamBuilder {
    let bld: OpaquePointer
    /// BIGNUMs pushed must outlive the build.
    var keep: [BigNum] = []
    /// Copies of keys and values, handed over to `OSSLParams`.
    var owned: [UnsafeMutableRawBufferPointer] = []

    init() throws {
        guard let bld = OSSL_PARAM_BLD_new() else { throw CryptoError.openSSL("OSSL_PARAM_BLD_new") }
        self.bld = bld
    }
    deinit { OSSL_PARAM_BLD_free(bld) }

    static func release(_ buffers: [UnsafeMutableRawBufferPointer]) {
        for b in buffers {
            OPENSSL_cleanse(b.baseAddress, b.count)
            b.deallocate()
        }
    }

    /// A NUL-terminated copy owned by the builder.
    func cString(_ s: String) -> UnsafePointer<CChar> {
        let utf8 = Array(s.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: utf8.count + 1, alignment: 1)
        buffer.copyBytes(from: utf8 + [0])
        owned.append(buffer)
        return UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: CChar.self))
    }

    /// A copy of `bytes` owned by the builder.
    func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        buffer.copyMemory(from: bytes)
        owned.append(buffer)
        return UnsafeRawPointer(buffer.baseAddress!)
    }

    func utf8(_ key: String, _ value: String) throws {
        try check(OSSL_PARAM_BLD_push_utf8_string(bld, cString(key), cString(value), 0), "OSSL_PARAM_BLD_push_utf8_string \(key)")
    }

    func octets(_ key: String, _ value: [UInt8]) throws {
        let data = value.withUnsafeBytes { copy($0) }
        try check(OSSL_PARAM_BLD_push_octet_string(bld, cString(key), data, value.count), "OSSL_PARAM_BLD_push_octet_string \(key)")
    }

    func bigNum(_ key: String, _ value: BigNum) throws {
        keep.append(value)
        try check(OSSL_PARAM_BLD_push_BN(bld, cString(key), value.bn), "OSSL_PARAM_BLD_push_BN \(key)")
    }

    func size(_ key: String, _ value: Int) throws {
        try check(OSSL_PARAM_BLD_push_size_t(bld, cString(key), value), "OSSL_PARAM_BLD_push_size_t \(key)")
    }
}
