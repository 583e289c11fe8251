import Foundation
import KMIPStore
import Logging
import Metrics
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The enabled audit devices, and the one place entries are written.
///
/// Entries are written by one thread of the broker's own (`AuditWriter`), never by the event loops
/// or the cooperative pool: it takes every entry queued since its last write and appends them to
/// each device with one `write(2)` (a line is never split or interleaved). A caller waits for that
/// write only when a `fail_closed` device is enabled, since the request must then fail if the write
/// did (`log` throws and the caller refuses the request), or when more than
/// ``AuditWriter/maxQueued`` entries are waiting (back-pressure); otherwise `log` returns once the
/// entry is queued. A device that fails is reopened on the next batch; other devices only count
/// the failure (`audit_log_failures_total`) and log a warning. ``flush()`` waits until everything
/// queued is written.
public final class AuditBroker: Sendable {
    struct Device {
        var record: AuditDeviceRecord
        var options: AuditDeviceOptions
        var origin: AuditDeviceOrigin
        /// -1 when closed (a file not yet or no longer open).
        var fd: Int32 = -1
        /// The last write failed: warn once per outage rather than per entry.
        var failing = false
    }

    /// A failure noticed under the lock, reported after it.
    struct Failure {
        let path: String
        let reason: String
        let firstOfOutage: Bool
        /// Entries the failed write held.
        let entries: Int
    }

    private let state = NIOLockedValueBox<[Device]>([])
    /// What every request asks (is a device enabled, is one fail-closed), behind its own lock:
    /// `state`'s lock is held while the writer thread writes, and requests must not wait for it.
    private let summary = NIOLockedValueBox<(enabled: Bool, failClosed: Bool)>((false, false))
    private let writer = AuditWriter()
    private let logger: Logger
    /// `audit_log_failures_total{device}`: entries a device failed to write. Device paths are the
    /// operator's (a small set).
    private let metrics: any MetricsFactory
    /// What API-enabled devices may do; set once by the composition root from the config.
    public let rules: AuditRules

    public init(logger: Logger = Logger(label: "strongroom.audit"), metrics: any MetricsFactory = MetricsSystem.factory,
                rules: AuditRules = AuditRules()) {
        self.logger = logger
        self.metrics = metrics
        self.rules = rules
    }

    deinit {
        writer.stop()
        state.withLockedValue { devices in for i in devices.indices { Self.close(&devices[i]) } }
    }

    // MARK: Devices

    /// Validates the options and opens the file; refuses a taken path or a file that cannot be
    /// opened. Returns the record as stored (path normalised to `name/`). `origin` `.api` applies
    /// ``rules``: refused unless the config allows API devices, files only inside its directory.
    @discardableResult
    public func enable(_ record: AuditDeviceRecord, origin: AuditDeviceOrigin = .declared) throws(AuditError) -> AuditDeviceRecord {
        if origin == .api, !rules.allowAPIDevices {
            throw AuditError(.invalidOption, "audit devices are declared in the server's config file; this server does not allow enabling them through the API (audit.allow_api_devices)")
        }
        var device = try Self.device(record, origin: origin, rules: rules)
        if let file = device.options.destination.fileDescription {
            do throws(AuditError) { try Self.open(&device) } catch {
                throw AuditError(.unavailable, "cannot open audit file \(file): \(error.message)")
            }
        }
        let added = state.withLockedValue { devices -> Bool in
            guard !devices.contains(where: { $0.record.path == device.record.path }) else { return false }
            devices.append(device)
            return true
        }
        refreshSummary()
        guard added else {
            Self.close(&device)
            throw AuditError(.duplicate, "an audit device is already enabled at \(device.record.path)")
        }
        return device.record
    }

    /// Re-enables stored devices at startup. A device whose file cannot be opened now stays enabled
    /// (retried on every entry, so a fail-closed one keeps refusing requests) instead of keeping the
    /// server down; the returned errors say which, for the log. Invalid records are skipped.
    @discardableResult
    public func restore(_ records: [AuditDeviceRecord], origin: AuditDeviceOrigin = .declared) -> [AuditError] {
        var errors: [AuditError] = []
        for record in records {
            do { try enable(record, origin: origin) } catch where error.kind == .unavailable {
                errors.append(error)
                if let device = try? Self.device(record, origin: origin, rules: rules) {
                    state.withLockedValue { devices in
                        if !devices.contains(where: { $0.record.path == device.record.path }) { devices.append(device) }
                    }
                    refreshSummary()
                }
            } catch {
                errors.append(error)
            }
        }
        for error in errors { logger.error("audit device not available at startup", metadata: ["error": "\(error)"]) }
        return errors
    }

    /// `origin` `.api` cannot disable a device the config file declares.
    public func disable(path: String, origin: AuditDeviceOrigin = .declared) throws(AuditError) {
        let key = Self.normalise(path)
        let found = state.withLockedValue { devices -> Bool? in
            guard let i = devices.firstIndex(where: { $0.record.path == key }) else { return false }
            if origin == .api, devices[i].origin == .declared { return nil }
            Self.close(&devices[i])
            devices.remove(at: i)
            return true
        }
        refreshSummary()
        guard let found else {
            throw AuditError(.invalidOption, "audit device \(key) is declared in the server's config file; remove it there")
        }
        guard found else { throw AuditError(.notFound, "no audit device is enabled at \(key)") }
    }

    /// The enabled devices, in the order they were enabled.
    public func devices() -> [AuditDeviceRecord] { state.withLockedValue { $0.map(\.record) } }

    /// Whether the device at `path` comes from the config file.
    public func isDeclared(path: String) -> Bool {
        let key = Self.normalise(path)
        return state.withLockedValue { $0.contains { $0.record.path == key && $0.origin == .declared } }
    }

    public var isEnabled: Bool { summary.withLockedValue { $0.enabled } }

    /// Called after every change to the devices.
    private func refreshSummary() {
        let current = state.withLockedValue { devices in (!devices.isEmpty, devices.contains { $0.options.failClosed }) }
        summary.withLockedValue { $0 = current }
    }

    // MARK: Logging

    /// Appends `entry` to every device (see the type's notes on when this waits for the write).
    /// Throws ``AuditError/Kind/unavailable`` when a fail-closed device could not write it (the
    /// other devices have still been written).
    public func log(_ entry: AuditEntry) async throws(AuditError) {
        let failClosed = summary.withLockedValue { $0.failClosed }
        let queued = writer.enqueue(entry) { [self] entries in self.write(entries) }
        guard failClosed || queued.mustWait else { return }
        if let failedDevice = await queued.batch.outcome(), failClosed {
            throw AuditError(.unavailable, "audit device \(failedDevice) could not write the entry")
        }
    }

    /// Returns once every entry queued before the call is written.
    public func flush() async {
        _ = await writer.enqueue(nil) { [self] entries in self.write(entries) }.batch.outcome()
    }

    /// One batch, on the writer's thread: every entry to every device, one `write(2)` per device.
    /// Returns the path of a fail-closed device that failed, if any.
    private func write(_ entries: [AuditEntry]) -> String? {
        guard !entries.isEmpty else { return nil }
        var failures: [Failure] = []
        var closedFailure: String?
        // Encoded before the lock is taken; a device enabled meanwhile with a new prefix is encoded under it.
        func encode(_ prefix: String) -> [UInt8] { entries.reduce(into: [UInt8]()) { $0 += Array($1.jsonLine(prefix: prefix).utf8) } }
        var bytes: [String: [UInt8]] = [:]
        for prefix in state.withLockedValue({ Set($0.map(\.options.prefix)) }) { bytes[prefix] = encode(prefix) }
        state.withLockedValue { devices in
            for i in devices.indices {
                let prefix = devices[i].options.prefix
                let batch = bytes[prefix] ?? encode(prefix)
                bytes[prefix] = batch
                do throws(AuditError) {
                    try Self.write(batch, to: &devices[i])
                    devices[i].failing = false
                } catch {
                    failures.append(Failure(path: devices[i].record.path, reason: error.message,
                                            firstOfOutage: !devices[i].failing, entries: entries.count))
                    devices[i].failing = true
                    Self.close(&devices[i])
                    if devices[i].options.failClosed { closedFailure = devices[i].record.path }
                }
            }
        }
        for failure in failures { report(failure) }
        return closedFailure
    }

    private func report(_ failure: Failure) {
        Counter(label: "audit_log_failures_total", dimensions: [("device", failure.path)], factory: metrics)
            .increment(by: Int64(failure.entries))
        guard failure.firstOfOutage else { return }
        logger.warning("audit device failed to write", metadata: ["device": "\(failure.path)", "error": "\(failure.reason)"])
    }

    // MARK: Files

    static func device(_ record: AuditDeviceRecord, origin: AuditDeviceOrigin, rules: AuditRules) throws(AuditError) -> Device {
        let options = try AuditDeviceOptions(record, origin: origin, rules: rules)
        var record = record
        record.path = normalise(record.path)
        guard record.path != "/" else { throw AuditError(.invalidOption, "an audit device needs a path") }
        return Device(record: record, options: options, origin: origin)
    }

    /// `file`, `/file/` and `file/` are one device path, spelled like a mount path: `file/`.
    static func normalise(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return trimmed + "/"
    }

    static func write(_ line: [UInt8], to device: inout Device) throws(AuditError) {
        let fd: Int32
        switch device.options.destination {
        case .discard: return
        case .stdout: fd = STDOUT_FILENO
        case .file, .confined:
            if device.fd < 0 { try open(&device) }
            fd = device.fd
        }
        var offset = 0
        while offset < line.count {
            let written = line.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #else
                Darwin.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw AuditError(.unavailable, String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// Opens for appending, creating with the device's mode; an existing regular file is brought to
    /// that mode too (never a device node such as /dev/stderr).
    static func open(_ device: inout Device) throws(AuditError) {
        if case .confined(let directory, let name) = device.options.destination {
            device.fd = try AuditFileOpener.openConfined(directory: directory, name: name, mode: device.options.mode)
            return
        }
        guard case .file(let path) = device.options.destination else { return }
        let mode = device.options.mode == 0 ? 0o600 : device.options.mode
        let fd = path.withCString { systemOpen($0, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode_t(mode)) }
        guard fd >= 0 else { throw AuditError(.unavailable, String(cString: strerror(errno))) }
        var info = stat()
        if device.options.mode != 0, fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
           (info.st_mode & 0o777) != mode_t(device.options.mode) {
            _ = fchmod(fd, mode_t(device.options.mode))
        }
        device.fd = fd
    }

    static func close(_ device: inout Device) {
        guard device.fd >= 0 else { return }
        _ = systemClose(device.fd)
        device.fd = -1
    }
}

#if canImport(Glibc)
func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
#else
func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
#endif
