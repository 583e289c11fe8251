import COpenSSL
import KMIP

/// A streaming encryption or decryption: `update` any number of times (each returns the output
/// ready so far), then `finalize` once (the rest, and for GCM encryption the tag; GCM decryption
/// takes the expected tag there).
///
/// The server keeps a context across KMIP requests (Correlation Value), so it may move between
/// tasks: it is `@unchecked Sendable`, but it must be used by **one task at a time** (the owner
/// serialises the calls; it holds no lock).
///
/// GCM decryption withholds all plaintext until `finalize` has verified the tag (OpenSSL compares
/// it, in constant time, in EVP_DecryptFinal): `update` returns nothing, and a wrong tag returns
/// nothing at all. The withheld plaintext is bounded by `maxWithheldPlaintext` and wiped when done.
///
/// After any error the context is spent: every later call fails.
public final class SymmetricCipherContext: @unchecked Sendable {
    public enum Direction: Sendable { case encrypt, decrypt }

    /// Most plaintext a GCM decryption holds back until its tag is verified (64 MiB).
    public static let maxWithheldPlaintext = 64 << 20
    /// Largest input to one `update` (OpenSSL takes an `int` length).
    public static let maxUpdateLength = Int(Int32.max) - 64

    public let direction: Direction
    public let parameters: SymmetricParameters
    public let algorithm: CryptographicAlgorithm
    let blockSize: Int
    private let backend: any SymmetricBackend
    private var processed = 0
    private var state = State.open
    /// GCM decryption: plaintext held back until the tag verifies (made on first use).
    private var withheld: WipingBuffer?
    private let withholds: Bool

    private enum State { case open, finished, failed }

    init(_ cipher: SymmetricCipher, _ direction: Direction, iv: [UInt8]?, additionalData: [UInt8]) throws {
        try cipher.checkIV(iv)
        let mode = cipher.parameters.mode
        if !additionalData.isEmpty, mode != .gcm {
            throw CryptoError.invalidField("additional authenticated data is for GCM only, not \(mode)")
        }
        self.direction = direction
        parameters = cipher.parameters
        algorithm = cipher.algorithm
        blockSize = cipher.blockSize
        if mode == .gcm, let iv, iv.count > EVPCipherBackend.maxGCMNonceLength {
            backend = try GCM128Backend(cipher, direction, nonce: iv, additionalData: additionalData)
        } else {
            backend = try EVPCipherBackend(cipher, direction, iv: iv, additionalData: additionalData)
        }
        withholds = mode == .gcm && direction == .decrypt
    }

    private func begin() throws {
        switch state {
        case .open: return
        case .finished: throw CryptoError(.cryptographicFailure, "the \(parameters.mode) \(direction) stream is already finalized")
        case .failed: throw CryptoError(.cryptographicFailure, "the \(parameters.mode) \(direction) stream failed earlier")
        }
    }

    /// Feeds `data` and returns the output ready so far (for ECB/CBC up to one block may be held
    /// back until more data or `finalize`; for GCM decryption, nothing until `finalize`).
    public func update(_ data: [UInt8]) throws -> [UInt8] {
        if data.isEmpty {
            try begin()
            return []
        }
        return try [UInt8](unsafeUninitializedCapacity: data.count + Self.slack) { buffer, written in
            written = try data.withUnsafeBytes { try update($0, into: UnsafeMutableRawBufferPointer(buffer)) }
        }
    }

    /// Extra output room `update(_:into:)` needs beyond the input length (one block and then some).
    public static let slack = 32

    /// `update` without allocating: writes the output ready so far into `output`, which must have
    /// room for `input.count + slack` bytes, and returns how many bytes it wrote.
    public func update(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        try begin()
        guard input.count <= Self.maxUpdateLength else {
            state = .failed
            throw CryptoError.invalidField("\(input.count) bytes is too much for one update")
        }
        guard output.count >= input.count + Self.slack else {
            throw CryptoError.invalidField("the output buffer needs \(input.count + Self.slack) bytes, has \(output.count)")
        }
        if input.isEmpty { return 0 }
        do {
            processed += input.count
            if withholds {
                let withheld = self.withheld ?? WipingBuffer(capacity: input.count + Self.slack)
                self.withheld = withheld
                guard withheld.count + input.count <= Self.maxWithheldPlaintext else {
                    throw CryptoError(.invalidMessage, "a streamed GCM decryption holds at most \(Self.maxWithheldPlaintext) bytes until its tag is verified")
                }
                try withheld.append(reserving: input.count + Self.slack) { try backend.update(input, $0) }
                return 0
            }
            return try backend.update(input, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
        } catch {
            state = .failed
            throw error
        }
    }

    /// Ends the stream: the remaining output, and for GCM encryption the tag. GCM decryption needs
    /// `expectedTag` (exactly `parameters.tagLength` bytes) and fails with Cryptographic Failure when
    /// it does not verify; other modes take no tag. Bad PKCS5 padding fails with Cryptographic Failure.
    public func finalize(expectedTag: [UInt8]? = nil) throws -> SymmetricOutput {
        var tag: [UInt8]?
        let rest: [UInt8]
        do {
            rest = try [UInt8](unsafeUninitializedCapacity: Self.slack) { buffer, written in
                written = try finish(into: buffer.baseAddress!, expectedTag: expectedTag, tag: &tag)
            }
        } catch {
            withheld?.wipe()   // unverified plaintext goes at once, not at deinit
            throw error
        }
        if withholds, let withheld {
            let all = withheld.bytes + rest
            withheld.wipe()
            return SymmetricOutput(data: all)
        }
        return SymmetricOutput(data: rest, tag: tag)
    }

    /// The checks and the OpenSSL final step; writes at most `slack` bytes.
    private func finish(into output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?, tag: inout [UInt8]?) throws -> Int {
        try begin()
        state = .failed
        let mode = parameters.mode
        if mode == .gcm, direction == .decrypt {
            guard let expectedTag else { throw CryptoError.invalidField("GCM decryption needs the authentication tag") }
            guard expectedTag.count == parameters.tagLength else {
                throw CryptoError.invalidField("GCM tag of \(expectedTag.count) bytes, expected \(parameters.tagLength)")
            }
        } else if expectedTag != nil {
            throw CryptoError.invalidField("an authentication tag applies to GCM decryption only")
        }
        if mode.allowsPadding, processed % blockSize != 0, parameters.padding == .none || direction == .decrypt {
            throw CryptoError.invalidField("\(mode) \(direction == .encrypt ? "with padding None " : "")needs a multiple of \(blockSize) bytes, got \(processed)")
        }
        let written = try backend.finish(output, expectedTag: expectedTag)
        if mode == .gcm, direction == .encrypt { tag = try backend.tag(length: parameters.tagLength) }
        state = .finished
        return written
    }

    /// The whole input in one pass into one buffer (what `SymmetricCipher.encrypt/decrypt` use).
    /// GCM decryption writes straight into the result but hands it out only after the tag has
    /// verified; on any failure the buffer is wiped.
    func oneShot(_ input: [UInt8], expectedTag: [UInt8]?) throws -> SymmetricOutput {
        try begin()
        guard input.count <= Self.maxUpdateLength else {
            state = .failed
            throw CryptoError.invalidField("\(input.count) bytes is too much for one operation")
        }
        var tag: [UInt8]?
        var failure: Error?
        let data = [UInt8](unsafeUninitializedCapacity: input.count + 2 * Self.slack) { buffer, written in
            let out = buffer.baseAddress!
            do {
                var n = 0
                if !input.isEmpty {
                    processed += input.count
                    n = try input.withUnsafeBytes { try backend.update($0, out) }
                }
                n += try finish(into: out + n, expectedTag: expectedTag, tag: &tag)
                written = n
            } catch {
                state = .failed
                OPENSSL_cleanse(out, buffer.count)
                written = 0
                failure = error
            }
        }
        if let failure { throw failure }
        return SymmetricOutput(data: data, tag: tag)
    }
}

/// One OpenSSL cipher engine under a `SymmetricCipherContext`.
protocol SymmetricBackend: AnyObject {
    /// Processes `input`; writes at most `input.count + SymmetricCipherContext.slack` bytes to `output`; returns how many.
    func update(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutablePointer<UInt8>) throws -> Int
    /// Finishes (verifying `expectedTag` for GCM decryption); writes at most `SymmetricCipherContext.slack` bytes; returns how many.
    func finish(_ output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?) throws -> Int
    /// The GCM tag after an encryption has finished.
    func tag(length: Int) throws -> [UInt8]
}

/// The EVP_CIPHER_CTX engine: every mode, GCM nonces up to 128 bytes.
final class EVPCipherBackend: SymmetricBackend {
    /// OpenSSL 3.0's EVP GCM refuses longer nonces (GCM_IV_MAX_SIZE).
    static let maxGCMNonceLength = 128

    let ctx: OpaquePointer
    let name: String
    let direction: SymmetricCipherContext.Direction
    let isGCM: Bool

    init(_ cipher: SymmetricCipher, _ direction: SymmetricCipherContext.Direction, iv: [UInt8]?, additionalData: [UInt8]) throws {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        self.ctx = ctx
        name = cipher.openSSLName
        self.direction = direction
        isGCM = cipher.parameters.mode == .gcm
        let iv = iv?.isEmpty == false ? iv : nil   // ECB may be given an empty IV
        let enc: Int32 = direction == .encrypt ? 1 : 0
        var evpCipher: OpaquePointer? = cipher.cipher.value
        if isGCM, let iv, iv.count != SymmetricCipher.defaultGCMNonceLength {
            // The nonce length is set between choosing the cipher and giving it key and nonce.
            try check(EVP_CipherInit_ex2(ctx, evpCipher, nil, nil, enc, nil), "EVP_CipherInit_ex2 \(name)")
            try check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, Int32(iv.count), nil), "\(name): nonce of \(iv.count) bytes",
                      reason: .invalidField)
            evpCipher = nil
        }
        try cipher.key.withKeyPointer { key, _ in
            if let iv {
                try check(EVP_CipherInit_ex2(ctx, evpCipher, key, iv, enc, nil), "EVP_CipherInit_ex2 \(name) key and IV")
            } else {
                try check(EVP_CipherInit_ex2(ctx, evpCipher, key, nil, enc, nil), "EVP_CipherInit_ex2 \(name) key")
            }
        }
        if cipher.parameters.mode.allowsPadding {
            try check(EVP_CIPHER_CTX_set_padding(ctx, cipher.parameters.padding == .pkcs5 ? 1 : 0), "EVP_CIPHER_CTX_set_padding")
        }
        if !additionalData.isEmpty {
            var outl: Int32 = 0
            try check(EVP_CipherUpdate(ctx, nil, &outl, additionalData, Int32(additionalData.count)), "\(name) additional data")
        }
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    func update(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutablePointer<UInt8>) throws -> Int {
        var outl: Int32 = 0
        try check(EVP_CipherUpdate(ctx, output, &outl, input.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(input.count)),
                  "EVP_CipherUpdate \(name)")
        return Int(outl)
    }

    func finish(_ output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?) throws -> Int {
        if var tag = expectedTag {
            try check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag), "\(name): setting the expected tag")
        }
        var outl: Int32 = 0
        guard EVP_CipherFinal_ex(ctx, output, &outl) == 1 else {
            OpenSSLErrors.clear()
            if isGCM { throw CryptoError(.cryptographicFailure, "\(name): the authentication tag does not verify") }
            if direction == .decrypt { throw CryptoError(.cryptographicFailure, "\(name): decryption failed (bad padding or wrong key)") }
            throw CryptoError.openSSL("EVP_CipherFinal_ex \(name)")
        }
        return Int(outl)
    }

    func tag(length: Int) throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: length)
        try check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(length), &tag), "\(name): reading the tag")
        return tag
    }
}
