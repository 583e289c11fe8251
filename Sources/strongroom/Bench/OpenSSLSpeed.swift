import Foundation

/// Runs `openssl speed -mr` (single process, one core) to get the reference figure a benchmark is
/// compared with in the same run.
enum OpenSSLSpeed {
    /// Encryptions per second of `cipher` (an EVP name, e.g. "aes-256-gcm") on blocks of `bytes`.
    static func cipherOpsPerSecond(_ cipher: String, bytes: Int, seconds: Int) throws -> Double {
        let out = try run(["speed", "-mr", "-seconds", String(seconds), "-bytes", String(bytes), "-evp", cipher])
        // +F:<n>:<NAME>:<bytes per second>
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("+F:") }),
              let bytesPerSecond = line.split(separator: ":").last.flatMap({ Double($0) }) else {
            throw CLIError("cannot read `openssl speed -evp \(cipher)` output")
        }
        return bytesPerSecond / Double(bytes)
    }

    /// Signatures per second of `algorithm` ("rsa2048", "ecdsap256", "ed25519").
    static func signaturesPerSecond(_ algorithm: String, seconds: Int) throws -> Double {
        let out = try run(["speed", "-mr", "-seconds", String(seconds), algorithm])
        // RSA: +F2:<n>:<bits>:<sign/s>:<verify/s>; ECDSA: +F4:…; EdDSA: +F6:<n>:<bits>:<name>:<sign/s>:<verify/s>
        for line in out.split(separator: "\n") where line.hasPrefix("+F2:") || line.hasPrefix("+F4:") || line.hasPrefix("+F6:") {
            let f = line.split(separator: ":")
            let signIndex = line.hasPrefix("+F6:") ? 4 : 3
            if f.count > signIndex, let v = Double(f[signIndex]) { return v }
        }
        throw CLIError("cannot read `openssl speed \(algorithm)` output")
    }

    static func run(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CLIError("openssl \(args.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self)
    }
}
