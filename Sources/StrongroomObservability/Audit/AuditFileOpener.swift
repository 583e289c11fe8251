import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens an API-enabled audit file so that a token holder cannot make the server write anywhere
/// else: relative to the audit directory's descriptor (no path re-resolution), never through a
/// symbolic link (`O_NOFOLLOW`), a new file created exclusively (`O_EXCL`), an existing one only
/// if it is a regular file owned by the server's user with a single link (no hard link to a file
/// elsewhere), and never chmod'ed. `O_NONBLOCK` keeps a planted FIFO from hanging the open.
enum AuditFileOpener {
    static func openConfined(directory: String, name: String, mode: UInt32) throws(AuditError) -> Int32 {
        let dirFD = directory.withCString { systemOpen($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0) }
        guard dirFD >= 0 else { throw AuditError(.unavailable, "audit directory \(directory): \(errorText())") }
        defer { _ = systemClose(dirFD) }
        try checkDirectory(dirFD, directory)
        let flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK
        let createMode = mode_t(mode == 0 ? 0o600 : mode)
        var fd = name.withCString { openat(dirFD, $0, flags | O_CREAT | O_EXCL, createMode) }
        if fd < 0, errno == EEXIST {
            fd = name.withCString { openat(dirFD, $0, flags) }
            guard fd >= 0 else { throw refusal(name) }
            do throws(AuditError) { try checkExisting(fd, name: name) } catch {
                _ = systemClose(fd)
                throw error
            }
        } else if fd < 0 {
            throw AuditError(.unavailable, "\(name): \(errorText())")
        }
        _ = fcntl(fd, F_SETFL, O_WRONLY | O_APPEND)
        return fd
    }

    /// The directory must be the server's own and writable by nobody else: another user who could
    /// write there could place the links and files this opener refuses to follow.
    static func checkDirectory(_ fd: Int32, _ directory: String) throws(AuditError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AuditError(.unavailable, "audit directory \(directory): \(errorText())") }
        guard info.st_uid == geteuid(), info.st_mode & 0o022 == 0 else {
            throw AuditError(.invalidOption, "audit directory \(directory) must belong to the server's user and be writable by it alone")
        }
    }

    /// An existing file is appended to only if it is ours and is nothing but a log file.
    static func checkExisting(_ fd: Int32, name: String) throws(AuditError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AuditError(.unavailable, "\(name): \(errorText())") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw AuditError(.invalidOption, "\(name) exists and is not a regular file")
        }
        guard info.st_uid == geteuid() else {
            throw AuditError(.invalidOption, "\(name) exists and belongs to another user")
        }
        guard info.st_nlink == 1 else {
            throw AuditError(.invalidOption, "\(name) exists with other hard links")
        }
        guard info.st_mode & 0o111 == 0 else {
            throw AuditError(.invalidOption, "\(name) exists and is executable")
        }
    }

    static func refusal(_ name: String) -> AuditError {
        if errno == ELOOP { return AuditError(.invalidOption, "\(name) is a symbolic link; audit files are never opened through links") }
        return AuditError(.unavailable, "\(name): \(errorText())")
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

extension AuditDeviceOptions.Destination {
    /// The file this device writes, for messages; nil for `stdout` and `discard`.
    var fileDescription: String? {
        switch self {
        case .file(let path): path
        case .confined(let directory, let name): (directory.hasSuffix("/") ? directory : directory + "/") + name
        case .stdout, .discard: nil
        }
    }
}
