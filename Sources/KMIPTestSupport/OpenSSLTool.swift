import Foundation

/// The `openssl` command-line tool, for tests that check Strongroom's output with an independent
/// implementation (CSRs, certificate text, keys).
public enum OpenSSLTool {
    public static let path = "/usr/bin/openssl"

    public enum Failure: Error, CustomStringConvertible {
        /// No `openssl` binary: callers skip their test.
        case notInstalled
        /// It exited non-zero for the named subcommand.
        case failed(String)

        public var description: String {
            switch self {
            case .notInstalled: "openssl not found at \(OpenSSLTool.path)"
            case .failed(let command): "openssl \(command) failed"
            }
        }
    }

    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs `openssl` with `arguments`, feeding `input`; returns stdout. Stderr is discarded; a
    /// non-zero exit throws.
    @discardableResult
    public static func run(_ arguments: [String], input: String? = nil, in directory: URL? = nil) throws -> String {
        let (status, out) = try spawn(arguments, input: input, directory: directory, keepStderr: false)
        guard status == 0 else { throw Failure.failed(arguments.first ?? "") }
        return out
    }

    /// Runs `openssl` in `directory` and returns its exit status with stdout and stderr together
    /// (some verdicts, such as `ec -check`'s, go to stderr).
    public static func execute(_ arguments: [String], input: String? = nil, in directory: URL? = nil) throws -> (status: Int32, output: String) {
        try spawn(arguments, input: input, directory: directory, keepStderr: true)
    }

    private static func spawn(_ arguments: [String], input: String?, directory: URL?, keepStderr: Bool) throws -> (Int32, String) {
        guard isInstalled else { throw Failure.notInstalled }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        // One pipe for both streams: reading one while the other fills could block openssl.
        process.standardError = keepStderr ? stdout : FileHandle.nullDevice
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self))
    }
}
