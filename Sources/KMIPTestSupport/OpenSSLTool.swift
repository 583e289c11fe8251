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

    /// Runs `openssl` with `arguments`, feeding `input`; returns stdout. Stderr is discarded.
    @discardableResult
    public static func run(_ arguments: [String], input: String? = nil) throws -> String {
        guard isInstalled else { throw Failure.notInstalled }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.failed(arguments.first ?? "") }
        return String(decoding: out, as: UTF8.self)
    }
}
