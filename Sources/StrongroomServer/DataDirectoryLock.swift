#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// One server per data directory: an exclusive `flock` on `strongroom.lock` in it, held while the
/// server runs. Two processes on one SQLite file would each trust caches that only their own
/// writes invalidate (objects, client bindings, the CA); the second is refused at start instead.
/// The kernel drops the lock when the process dies, so a crash never leaves it behind.
final class DataDirectoryLock: Sendable {
    private let descriptor = NIOLockedValueBox<Int32?>(nil)
    let path: String

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor.withLockedValue { $0 = descriptor }
    }

    /// Takes the lock of `directory` (which exists), or throws when another process holds it.
    static func acquire(_ directory: String) throws -> DataDirectoryLock {
        let path = directory + "/strongroom.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ConfigFileError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK {
                throw ConfigFileError("another Strongroom server is using the data directory \(directory) (it holds \(path)); one server per directory")
            }
            throw ConfigFileError("cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        return DataDirectoryLock(path: path, descriptor: fd)
    }

    /// Releases the lock (once; later calls do nothing).
    func release() {
        if let fd = descriptor.withLockedValue({ d -> Int32? in defer { d = nil }; return d }) { close(fd) }
    }

    deinit { release() }
}
