import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `openssl speed -mr` (single process, one core) to get the reference figure a benchmark is
/// compared with in the same run.
enum OpenSSLSpeed {
    /// AEAD encryptions per second of `cipher` (an EVP name, e.g. "aes-256-gcm") on `bytes` of data,
    /// each a whole operation: new IV, 13 bytes of AAD, the data, the tag (`-aead`).
    static func cipherOpsPerSecond(_ cipher: String, bytes: Int, seconds: Int) throws -> Double {
        let out = try run(["speed", "-mr", "-seconds", String(seconds), "-bytes", String(bytes), "-aead", "-evp", cipher])
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

    /// Runs `openssl` and returns its standard output. Spawned with posix_spawn and an empty signal
    /// mask: `openssl speed` stops its loops with SIGALRM, which Swift's worker threads block, and a
    /// child inherits the spawning thread's mask.
    static func run(_ args: [String]) throws -> String {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw CLIError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = (["openssl"] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "openssl", &actions, &attributes, argv, environ)
        close(pipe[1])
        guard rc == 0 else { close(pipe[0]); throw CLIError("cannot run openssl: \(String(cString: strerror(rc)))") }
        let output = FileHandle(fileDescriptor: pipe[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw CLIError("openssl \(args.joined(separator: " ")) failed") }
        return String(decoding: output, as: UTF8.self)
    }
}
