import COpenSSL
import KMIP
import NIOConcurrencyHelpers

/// A streaming encryption or decryption: `update` any number of times (each returns the output
/// ready so far), then `finalize` once (the rest, and for GCM encryption the tag; GCM decryption
/// takes the expected tag there).
///
/// The server keeps a context across KMIP requests (Correlation Value), so it may move between
/// tasks: it is `Sendable`, and meant for **one task at a time** (a stream is ordered; the owner
/// serialises the calls). A lock guards its state and OpenSSL context, so concurrent misuse gives
/// output in some order rather than corrupt memory.
///
/// GCM decryption withholds all plaintext until `finalize` has verified the tag (OpenSSL compares
/// it, in constant time, in EVP_DecryptFinal): `update` returns nothing, and a wrong tag returns
/// nothing at all. The withheld plaintext is bounded by `CryptoLimits.maxWithheldPlaintext`
/// (Invalid Field beyond it, checked before anything is allocated) and wiped when done.
///
/// After any error the context is spent: every later call fails.
public final class SymmetricCipherContext: @unchecked Sendable {
    public enum Direction: Sendable { case encrypt, decrypt }

    public let direction: Direction
    public let parameters: SymmetricParameters
    public let algorithm: CryptographicAlgorithm
    let cipher: SymmetricCipher
    private let withholds: Bool

    /// Guards everything below: the OpenSSL context in `backend` and the stream's state.
    private let lock = NIOLock()
    private let backend: any SymmetricBackend
    private var processed = 0
    private var state = State.open
    /// GCM decryption: plaintext held back until the tag verifies (made on first use).
    private var withheld: WipingBuffer?

    private enum State { case open, finished, failed }

    init(_ cipher: SymmetricCipher, _ direction: Direction, iv: [UInt8]?, additionalData: [UInt8]) throws {
        try cipher.checkStart(iv: iv, additionalData: additionalData)
        let mode = cipher.parameters.mode
        self.direction = direction
        self.cipher = cipher
        parameters = cipher.parameters
        algorithm = cipher.algorithm
        if mode == .gcm, let iv, iv.count > EVPCipherSteps.largestNonce {
            backend = try GCM128Backend(cipher, direction, nonce: iv, additionalData: additionalData)
        } else {
            backend = try EVPCipherBackend(cipher, direction, iv: iv, additionalData: additionalData)
        }
        withholds = mode == .gcm && direction == .decrypt
    }

    /// True for GCM decryption: its plaintext is held back until the tag verifies, so a streamed
    /// one holds memory for everything it has been given.
    public var withholdsPlaintext: Bool { withholds }

    /// Extra output room `update(_:into:)` needs beyond the input length (one block and then some).
    public static let slack = 32

    /// Feeds `data` and returns the output ready so far (for ECB/CBC up to one block may be held
    /// back until more data or `finalize`; for GCM decryption, nothing until `finalize`).
    public func update(_ data: [UInt8]) throws -> [UInt8] {
        try lock.withLock {
            try begin()
            try checkLength(data.count)
            if data.isEmpty { return [] }
            if withholds {
                try data.withUnsafeBytes { try withhold($0) }
                return []
            }
            return try [UInt8](unsafeUninitializedCapacity: data.count + Self.slack) { buffer, written in
                written = try data.withUnsafeBytes { try process($0, into: buffer.baseAddress!) }
            }
        }
    }

    /// `update` without allocating: writes the output ready so far into `output`, which must have
    /// room for `input.count + slack` bytes, and returns how many bytes it wrote.
    public func update(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        try lock.withLock {
            try begin()
            try checkLength(input.count)
            guard output.count >= input.count + Self.slack else {
                throw CryptoError.invalidField("the output buffer needs \(input.count + Self.slack) bytes, has \(output.count)")
            }
            if input.isEmpty { return 0 }
            if withholds {
                try withhold(input)
                return 0
            }
            return try process(input, into: output.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    // The private helpers below run holding the lock.

    private func begin() throws {
        switch state {
        case .open: return
        case .finished: throw CryptoError(.cryptographicFailure, "the \(parameters.mode) \(direction) stream is already finalized")
        case .failed: throw CryptoError(.cryptographicFailure, "the \(parameters.mode) \(direction) stream failed earlier")
        }
    }

    private func checkLength(_ count: Int) throws {
        guard count <= CryptoLimits.maxSymmetricUpdateLength else {
            fail()
            throw CryptoError.invalidField("\(count) bytes is too much for one update")
        }
    }

    private func fail() {
        state = .failed
        withheld?.wipe()
    }

    private func process(_ input: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) throws -> Int {
        do {
            processed += input.count
            return try backend.update(input, output)
        } catch {
            fail()
            throw error
        }
    }

    /// GCM decryption: decrypts into the withheld buffer, within `maxWithheldPlaintext`.
    private func withhold(_ input: UnsafeRawBufferPointer) throws {
        guard input.count <= CryptoLimits.maxWithheldPlaintext - (withheld?.count ?? 0) else {
            fail()
            throw CryptoError.invalidField(
                "a streamed GCM decryption holds at most \(CryptoLimits.maxWithheldPlaintext) bytes until its tag is verified")
        }
        let buffer = withheld ?? WipingBuffer(capacity: input.count + Self.slack)
        withheld = buffer
        do {
            processed += input.count
            try buffer.append(reserving: input.count + Self.slack) { try backend.update(input, $0) }
        } catch {
            fail()
            throw error
        }
    }

    /// Ends the stream: the remaining output, and for GCM encryption the tag. GCM decryption needs
    /// `expectedTag` (exactly `parameters.tagLength` bytes) and fails with Cryptographic Failure when
    /// it does not verify; other modes take no tag. Bad PKCS5 padding fails with Cryptographic Failure.
    public func finalize(expectedTag: [UInt8]? = nil) throws -> SymmetricOutput {
        try lock.withLock {
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
                let all = withheld.bytes(appending: rest)
                withheld.wipe()
                return SymmetricOutput(data: all)
            }
            return SymmetricOutput(data: rest, tag: tag)
        }
    }

    /// The checks and the OpenSSL final step; writes at most `slack` bytes.
    private func finish(into output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?, tag: inout [UInt8]?) throws -> Int {
        try begin()
        state = .failed
        try cipher.checkFinish(direction, processed: processed, expectedTag: expectedTag)
        let written = try backend.finish(output, expectedTag: expectedTag)
        if parameters.mode == .gcm, direction == .encrypt { tag = try backend.tag(length: parameters.tagLength) }
        state = .finished
        return written
    }

    /// The whole input in one pass into one buffer (what `SymmetricCipher.encrypt/decrypt` use for
    /// GCM nonces over 128 bytes). GCM decryption writes straight into the result but hands it out
    /// only after the tag has verified; on any failure the buffer is wiped.
    func oneShot(_ input: [UInt8], expectedTag: [UInt8]?) throws -> SymmetricOutput {
        try lock.withLock {
            try begin()
            try checkLength(input.count)
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

/// The EVP_CIPHER_CTX steps of one operation, shared by streaming contexts (`EVPCipherBackend`)
/// and the one-shot operations on pooled contexts (`KeyedContextPool`): every mode, GCM nonces up
/// to 128 bytes.
struct EVPCipherSteps {
    /// OpenSSL 3.0's EVP GCM refuses longer nonces (GCM_IV_MAX_SIZE).
    static let largestNonce = 128

    let name: String
    let direction: SymmetricCipherContext.Direction
    let isGCM: Bool
    var enc: Int32 { direction == .encrypt ? 1 : 0 }

    init(_ cipher: SymmetricCipher, _ direction: SymmetricCipherContext.Direction) {
        name = cipher.openSSLName
        self.direction = direction
        isGCM = cipher.parameters.mode == .gcm
    }

    /// A new context with cipher, key and padding set, and no IV yet. This is where the key
    /// schedule is computed.
    static func keyed(_ cipher: SymmetricCipher, _ direction: SymmetricCipherContext.Direction) throws -> OpaquePointer {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError.openSSL("EVP_CIPHER_CTX_new") }
        do {
            let enc: Int32 = direction == .encrypt ? 1 : 0
            try cipher.key.withKeyPointer { key, count in
                // Blowfish takes keys of any length: the length is set before the key.
                if cipher.algorithm == .blowfish {
                    try check(EVP_CipherInit_ex2(ctx, cipher.cipher.value, nil, nil, enc, nil), "EVP_CipherInit_ex2 \(cipher.openSSLName)")
                    try check(EVP_CIPHER_CTX_set_key_length(ctx, Int32(count)), "EVP_CIPHER_CTX_set_key_length")
                    try check(EVP_CipherInit_ex2(ctx, nil, key, nil, enc, nil), "EVP_CipherInit_ex2 \(cipher.openSSLName) key")
                } else {
                    try check(EVP_CipherInit_ex2(ctx, cipher.cipher.value, key, nil, enc, nil), "EVP_CipherInit_ex2 \(cipher.openSSLName) key")
                }
            }
            if cipher.parameters.mode.allowsPadding {
                try check(EVP_CIPHER_CTX_set_padding(ctx, cipher.parameters.padding == .pkcs5 ? 1 : 0), "EVP_CIPHER_CTX_set_padding")
            }
            return ctx
        } catch {
            EVP_CIPHER_CTX_free(ctx)
            throw error
        }
    }

    /// Starts an operation on a keyed context: a GCM nonce length other than 12 first, then the IV
    /// (which also resets the mode's state), then the additional data.
    func start(_ ctx: OpaquePointer, iv: [UInt8]?, additionalData: [UInt8]) throws {
        if let iv, !iv.isEmpty {
            if isGCM, iv.count != SymmetricCipher.defaultGCMNonceLength {
                try setNonceLength(ctx, iv.count)
            }
            try ok(EVP_CipherInit_ex2(ctx, nil, nil, iv, enc, nil), "EVP_CipherInit_ex2 \(name) IV")
        } else {
            try ok(EVP_CipherInit_ex2(ctx, nil, nil, nil, enc, nil), "EVP_CipherInit_ex2 \(name)")   // ECB
        }
        if !additionalData.isEmpty {
            var outl: Int32 = 0
            try ok(EVP_CipherUpdate(ctx, nil, &outl, additionalData, Int32(additionalData.count)), "\(name) additional data")
        }
    }

    /// After a successful operation: puts a GCM context back to the default nonce length, so the
    /// next `start` finds it as `keyed` made it.
    func end(_ ctx: OpaquePointer, iv: [UInt8]?) throws {
        if isGCM, let iv, iv.count != SymmetricCipher.defaultGCMNonceLength {
            try setNonceLength(ctx, SymmetricCipher.defaultGCMNonceLength)
        }
    }

    private func setNonceLength(_ ctx: OpaquePointer, _ count: Int) throws {
        try check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, Int32(count), nil), "\(name): nonce of \(count) bytes", reason: .invalidField)
    }

    func update(_ ctx: OpaquePointer, _ input: UnsafeRawBufferPointer, _ output: UnsafeMutablePointer<UInt8>) throws -> Int {
        var outl: Int32 = 0
        try ok(EVP_CipherUpdate(ctx, output, &outl, input.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(input.count)),
               "EVP_CipherUpdate \(name)")
        return Int(outl)
    }

    func finish(_ ctx: OpaquePointer, _ output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?) throws -> Int {
        if var tag = expectedTag {
            try ok(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag), "\(name): setting the expected tag")
        }
        var outl: Int32 = 0
        guard EVP_CipherFinal_ex(ctx, output, &outl) == 1 else { throw finalFailure() }
        return Int(outl)
    }

    @inline(never)
    private func finalFailure() -> CryptoError {
        OpenSSLErrors.clear()
        if isGCM { return CryptoError(.cryptographicFailure, "\(name): the authentication tag does not verify") }
        if direction == .decrypt { return CryptoError(.cryptographicFailure, "\(name): decryption failed (bad padding or wrong key)") }
        return CryptoError.openSSL("EVP_CipherFinal_ex \(name)")
    }

    func tag(_ ctx: OpaquePointer, length: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: length) { tag, written in
            try ok(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(length), tag.baseAddress), "\(name): reading the tag")
            written = length
        }
    }

    /// `check` for the per-operation calls: builds the error (and its Result Reason) only on failure.
    @inline(__always)
    private func ok(_ rc: Int32, _ context: @autoclosure () -> String) throws {
        if _fastPath(rc == 1) { return }
        throw Self.failure(context())
    }

    @inline(never)
    private static func failure(_ context: String) -> CryptoError { CryptoError.openSSL(context) }
}

/// The EVP_CIPHER_CTX engine of a stream, on a context of its own.
final class EVPCipherBackend: SymmetricBackend {
    let ctx: OpaquePointer
    let steps: EVPCipherSteps

    init(_ cipher: SymmetricCipher, _ direction: SymmetricCipherContext.Direction, iv: [UInt8]?, additionalData: [UInt8]) throws {
        ctx = try EVPCipherSteps.keyed(cipher, direction)
        steps = EVPCipherSteps(cipher, direction)
        try steps.start(ctx, iv: iv, additionalData: additionalData)   // deinit frees ctx on failure
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    func update(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutablePointer<UInt8>) throws -> Int {
        try steps.update(ctx, input, output)
    }

    func finish(_ output: UnsafeMutablePointer<UInt8>, expectedTag: [UInt8]?) throws -> Int {
        try steps.finish(ctx, output, expectedTag: expectedTag)
    }

    func tag(length: Int) throws -> [UInt8] { try steps.tag(ctx, length: length) }
}
