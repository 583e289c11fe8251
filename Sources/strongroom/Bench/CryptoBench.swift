import ArgumentParser
import Foundation
import KMIP
import KMIPCrypto

extension BenchCommand {
    struct Crypto: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "KMIPCrypto against `openssl speed` in the same run, one core: AES-256-GCM on 64 B and 1 KiB, RSA-2048, ECDSA P-256 and Ed25519 signing.")

        @Option(help: "Seconds per measurement (each side).")
        var seconds: Int = 3

        @Option(help: "Rounds per operation, alternating KMIPCrypto and openssl; the best of each is kept (a shared machine's neighbours only ever slow a run down).")
        var rounds: Int = 3

        /// The best of `rounds` alternating runs of ours and the reference.
        func compare(_ name: String, ours: () -> Double, reference: () throws -> Double) throws {
            var best = (ours: 0.0, reference: 0.0)
            for _ in 0..<max(rounds, 1) {
                best.ours = max(best.ours, ours())
                best.reference = max(best.reference, try reference())
            }
            line(name, best.ours, best.reference)
        }

        func run() throws {
            print("KMIPCrypto vs `openssl speed` (\(try OpenSSLSpeed.run(["version"]).trimmingCharacters(in: .whitespacesAndNewlines))), \(seconds) s each, best of \(rounds), one core")
            print("operation                      KMIPCrypto ops/s   openssl ops/s   ratio")
            let key = try RNG.retrieve(count: 32)
            let gcm = try SymmetricCipher(algorithm: .aes, key: key,
                                          parameters: SymmetricParameters(mode: .gcm, padding: .none))
            for size in [64, 1024] {
                let data = [UInt8](repeating: 0x5A, count: size)
                // What `openssl speed -evp` measures: one context, one update per block.
                let stream = try gcm.encryptor(iv: [UInt8](repeating: 1, count: 12))
                var out = [UInt8](repeating: 0, count: size + SymmetricCipherContext.slack)
                let streaming = data.withUnsafeBytes { input in
                    out.withUnsafeMutableBytes { output in
                        Measure.rate(seconds: Double(seconds)) { _ = try! stream.update(input, into: output) }
                    }
                }
                line("AES-256-GCM \(size) B update", streaming, nil)
                // A whole KMIP Encrypt: key schedule, random IV, data, tag. `openssl speed -aead` resets
                // the IV, adds 13 bytes of AAD, encrypts and makes the tag, on an already keyed context.
                try compare("AES-256-GCM \(size) B encrypt",
                            ours: { Measure.rate(seconds: Double(seconds)) { _ = try! gcm.encrypt(data, iv: gcm.randomIV()) } },
                            reference: { try OpenSSLSpeed.cipherOpsPerSecond("aes-256-gcm", bytes: size, seconds: seconds) })
            }
            let digest = try DigestAlgorithm(.sha256).hash(Array("strongroom".utf8))
            let rsa = try AsymmetricKey.generateRSA(bits: 2048)
            try compare("RSA-2048 sign (PKCS#1 v1.5)",
                        ours: { Measure.rate(seconds: Double(seconds), batch: 50) { _ = try! rsa.sign(digest: digest, scheme: .rsaPKCS1v15(.sha256)) } },
                        reference: { try OpenSSLSpeed.signaturesPerSecond("rsa2048", seconds: seconds) })
            let ec = try AsymmetricKey.generateEC(curve: .p256)
            try compare("ECDSA P-256 sign",
                        ours: { Measure.rate(seconds: Double(seconds), batch: 200) { _ = try! ec.sign(digest: digest, scheme: .ecdsa(.sha256)) } },
                        reference: { try OpenSSLSpeed.signaturesPerSecond("ecdsap256", seconds: seconds) })
            let ed = try AsymmetricKey.generateEd25519()
            try compare("Ed25519 sign",
                        ours: { Measure.rate(seconds: Double(seconds), batch: 200) { _ = try! ed.sign(digest, scheme: .ed25519) } },
                        reference: { try OpenSSLSpeed.signaturesPerSecond("ed25519", seconds: seconds) })
        }

        func line(_ name: String, _ ours: Double, _ reference: Double?) {
            let n = name.padding(toLength: 30, withPad: " ", startingAt: 0)
            let o = Int(ours).formatted().leftPad(17)
            guard let reference else { print("\(n) \(o)"); return }
            print("\(n) \(o) \(Int(reference).formatted().leftPad(15))   \(String(format: "%.2f", ours / reference))")
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
