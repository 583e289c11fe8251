import COpenSSL
import KMIP

/// KMIP Transparent RSA and EC keys ↔ EVP_PKEY, through EVP_PKEY_fromdata and
/// EVP_PKEY_get_bn_param. Built keys are validated (`validate()`); missing or negative components
/// and inconsistent keys fail with Invalid Field.
extension AsymmetricKey {
    // MARK: RSA

    /// An RSA public key from its modulus and public exponent.
    public convenience init(transparent key: TransparentRSAPublicKey) throws {
        let n = try Self.component(key.modulus, "Modulus")
        try Self.checkRSAModulusBits(n.bitCount)
        let e = try Self.component(key.publicExponent, "Public Exponent")
        try Self.checkRSAPublicExponent(e)
        let params = try OSSLParams { b in
            try b.bigNum("n", n)
            try b.bigNum("e", e)
        }
        try self.init(fromData: .rsa, selection: KeySelection.publicKey, params: params)
        try validate()
    }

    /// An RSA private key. Modulus, Public Exponent, P and Q are required; the Private Exponent
    /// and the CRT values (Prime Exponent P/Q, CRT Coefficient) are computed when absent, checked
    /// when present.
    ///
    /// Every size is checked before any arithmetic (the components come from the client, and the
    /// cost of gcd, products and inverses grows with their length): the modulus in
    /// `CryptoLimits.rsaImportBitLengths`, the public exponent odd, ≥ 3 and below 2^256, P and Q at
    /// most half the modulus plus `CryptoLimits.rsaPrimeBitSlack` bits, the other components no
    /// longer than the modulus.
    public convenience init(transparent key: TransparentRSAPrivateKey) throws {
        let n = try Self.component(key.modulus, "Modulus")
        try Self.checkRSAModulusBits(n.bitCount)
        guard let eValue = key.publicExponent else { throw CryptoError.invalidField("Transparent RSA Private Key needs its Public Exponent") }
        guard let pValue = key.p, let qValue = key.q else { throw CryptoError.invalidField("Transparent RSA Private Key needs its primes P and Q") }
        let e = try Self.component(eValue, "Public Exponent")
        try Self.checkRSAPublicExponent(e)
        let p = try Self.component(pValue, "P")
        let q = try Self.component(qValue, "Q")
        let givenD = try key.privateExponent.map { try Self.component($0, "Private Exponent") }
        let givenDP = try key.primeExponentP.map { try Self.component($0, "Prime Exponent P") }
        let givenDQ = try key.primeExponentQ.map { try Self.component($0, "Prime Exponent Q") }
        let givenQInv = try key.crtCoefficient.map { try Self.component($0, "CRT Coefficient") }
        let others = [("Private Exponent", givenD), ("Prime Exponent P", givenDP), ("Prime Exponent Q", givenDQ), ("CRT Coefficient", givenQInv)]
        try Self.checkRSAComponentSizes(modulusBits: n.bitCount, primes: [("P", p), ("Q", q)],
                                        others: others.compactMap { name, value in value.map { (name, $0) } })

        let ctx = try BigNumContext()
        let one = try BigNum(1)
        let p1 = try BigNum(), q1 = try BigNum()
        try check(BN_sub(p1.bn, p.bn, one.bn), "BN_sub")
        try check(BN_sub(q1.bn, q.bn, one.bn), "BN_sub")
        guard !p1.isZero, !q1.isZero else { throw CryptoError.invalidField("RSA primes must be greater than 1") }

        let d: BigNum
        if let givenD {
            d = givenD
        } else {
            // d = e⁻¹ mod lcm(p−1, q−1)
            let g = try BigNum(), product = try BigNum(), lcm = try BigNum()
            try check(BN_gcd(g.bn, p1.bn, q1.bn, ctx.ctx), "BN_gcd")
            try check(BN_mul(product.bn, p1.bn, q1.bn, ctx.ctx), "BN_mul")
            try check(BN_div(lcm.bn, nil, product.bn, g.bn, ctx.ctx), "BN_div")
            d = try BigNum()
            guard BN_mod_inverse(d.bn, e.bn, lcm.bn, ctx.ctx) != nil else {
                throw CryptoError.openSSL("the RSA public exponent is not invertible modulo λ(n)", reason: .invalidField)
            }
        }
        func mod(_ a: BigNum, _ m: BigNum) throws -> BigNum {
            let r = try BigNum()
            try check(BN_div(nil, r.bn, a.bn, m.bn, ctx.ctx), "BN_mod")
            return r
        }
        let dP = try givenDP ?? mod(d, p1)
        let dQ = try givenDQ ?? mod(d, q1)
        let qInv: BigNum
        if let givenQInv {
            qInv = givenQInv
        } else {
            qInv = try BigNum()
            guard BN_mod_inverse(qInv.bn, q.bn, p.bn, ctx.ctx) != nil else {
                throw CryptoError.openSSL("Q is not invertible modulo P", reason: .invalidField)
            }
        }
        let params = try OSSLParams { b in
            try b.bigNum("n", n)
            try b.bigNum("e", e)
            try b.bigNum("d", d)
            try b.bigNum("rsa-factor1", p)
            try b.bigNum("rsa-factor2", q)
            try b.bigNum("rsa-exponent1", dP)
            try b.bigNum("rsa-exponent2", dQ)
            try b.bigNum("rsa-coefficient1", qInv)
        }
        try self.init(fromData: .rsa, selection: KeySelection.keyPair, params: params)
        try validate()
    }

    /// The modulus and public exponent (of a private key too).
    public func transparentRSAPublicKey() throws -> TransparentRSAPublicKey {
        try requireKind(.rsa, "Transparent RSA Public Key")
        return TransparentRSAPublicKey(modulus: try bigInteger("n"), publicExponent: try bigInteger("e"))
    }

    /// Every component: modulus, both exponents, the primes and the CRT values.
    public func transparentRSAPrivateKey() throws -> TransparentRSAPrivateKey {
        try requireKind(.rsa, "Transparent RSA Private Key")
        try requirePrivate("Transparent RSA Private Key")
        var t = TransparentRSAPrivateKey()
        t.modulus = try bigInteger("n")
        t.publicExponent = try bigInteger("e")
        t.privateExponent = try bigInteger("d")
        t.p = try bigInteger("rsa-factor1")
        t.q = try bigInteger("rsa-factor2")
        t.primeExponentP = try bigInteger("rsa-exponent1")
        t.primeExponentQ = try bigInteger("rsa-exponent2")
        t.crtCoefficient = try bigInteger("rsa-coefficient1")
        return t
    }

    // MARK: EC

    /// An EC public key from its curve and encoded point (uncompressed or compressed SEC 1). A point
    /// that is not on the curve fails with Invalid Field.
    public convenience init(transparent key: TransparentECPublicKey) throws {
        try self.init(ecPublicPoint: key.qString.bytes, curve: ECCurve(key.recommendedCurve))
    }

    /// An EC private key from its curve and scalar; the public point is computed (d·G). A scalar
    /// outside [1, n−1] fails with Invalid Field.
    public convenience init(transparent key: TransparentECPrivateKey) throws {
        try self.init(ecPrivateScalar: Self.component(key.d, "D"), curve: ECCurve(key.recommendedCurve))
    }

    public func transparentECPublicKey() throws -> TransparentECPublicKey {
        guard let curve else { throw CryptoError(.keyFormatTypeNotSupported, "Transparent EC Public Key is for EC keys, not \(kind)") }
        var t = TransparentECPublicKey()
        t.recommendedCurve = curve.recommendedCurve
        t.qString = ByteString(try ecPublicPoint())
        return t
    }

    public func transparentECPrivateKey() throws -> TransparentECPrivateKey {
        guard let curve else { throw CryptoError(.keyFormatTypeNotSupported, "Transparent EC Private Key is for EC keys, not \(kind)") }
        try requirePrivate("Transparent EC Private Key")
        var t = TransparentECPrivateKey()
        t.recommendedCurve = curve.recommendedCurve
        t.d = try bigInteger("priv")
        return t
    }

    convenience init(ecPublicPoint point: [UInt8], curve: ECCurve) throws {
        guard !point.isEmpty else { throw CryptoError.invalidField("empty EC point") }
        let params = try OSSLParams { b in
            try b.utf8("group", curve.groupName)
            try b.octets("pub", point)
        }
        try self.init(fromData: .ec(curve), selection: KeySelection.publicKey, params: params)
        try validate()
    }

    convenience init(ecPrivateScalar d: BigNum, curve: ECCurve) throws {
        guard let group = EC_GROUP_new_by_curve_name(curve.nid) else { throw CryptoError.openSSL("EC_GROUP_new_by_curve_name") }
        defer { EC_GROUP_free(group) }
        guard let order = EC_GROUP_get0_order(group) else { throw CryptoError.openSSL("EC_GROUP_get0_order") }
        guard !d.isZero, BN_cmp(d.bn, order) < 0 else {
            throw CryptoError.invalidField("the EC private scalar must be in [1, n−1] for \(curve)")
        }
        let ctx = try BigNumContext()
        guard let q = EC_POINT_new(group) else { throw CryptoError.openSSL("EC_POINT_new") }
        defer { EC_POINT_clear_free(q) }
        try check(EC_POINT_mul(group, q, d.bn, nil, nil, ctx.ctx), "EC_POINT_mul")
        let length = EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, nil, 0, ctx.ctx)
        guard length > 0 else { throw CryptoError.openSSL("EC_POINT_point2oct") }
        var point = [UInt8](repeating: 0, count: length)
        guard EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, &point, length, ctx.ctx) == length else {
            throw CryptoError.openSSL("EC_POINT_point2oct")
        }
        let params = try OSSLParams { b in
            try b.utf8("group", curve.groupName)
            try b.bigNum("priv", d)
            try b.octets("pub", point)
        }
        try self.init(fromData: .ec(curve), selection: KeySelection.keyPair, params: params)
        try validate()
    }

    /// The uncompressed SEC 1 encoding of an EC key's public point.
    func ecPublicPoint() throws -> [UInt8] {
        var length = 0
        try check(EVP_PKEY_get_octet_string_param(pkey, "encoded-pub-key", nil, 0, &length), "EC public point length")
        var out = [UInt8](repeating: 0, count: length)
        try check(EVP_PKEY_get_octet_string_param(pkey, "encoded-pub-key", &out, length, &length), "EC public point")
        return Array(out[0..<length])
    }

    // MARK: Helpers

    /// A non-negative, non-zero KMIP Big Integer as a BIGNUM.
    static func component(_ value: BigInteger, _ name: String) throws -> BigNum {
        guard !value.isNegative else { throw CryptoError.invalidField("\(name) is negative") }
        let magnitude = value.unsignedMagnitude
        guard !magnitude.isEmpty else { throw CryptoError.invalidField("\(name) is zero or missing") }
        return try BigNum(unsigned: magnitude)
    }

    /// A BIGNUM parameter of the key as a KMIP Big Integer.
    func bigInteger(_ name: String) throws -> BigInteger {
        var bn: OpaquePointer?
        try check(EVP_PKEY_get_bn_param(pkey, name, &bn), "key component \(name)")
        let value = BigNum(owning: bn!)
        return BigInteger(unsigned: value.unsignedBytes)
    }

    /// A key made by EVP_PKEY_fromdata (not yet validated).
    convenience init(fromData kind: AsymmetricKeyKind, selection: Int32, params: OSSLParams) throws {
        try self.init(fromData: kind, selection: selection, rawParams: params.params)
    }

    convenience init(fromData kind: AsymmetricKeyKind, selection: Int32, rawParams: UnsafeMutablePointer<OSSL_PARAM>) throws {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, kind.openSSLName.pointer, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name \(kind)")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        try check(EVP_PKEY_fromdata_init(ctx), "EVP_PKEY_fromdata_init")
        var out: OpaquePointer?
        try check(EVP_PKEY_fromdata(ctx, &out, selection, rawParams), "\(kind) key from its components", reason: .invalidField)
        try self.init(owning: out!)
    }
}
