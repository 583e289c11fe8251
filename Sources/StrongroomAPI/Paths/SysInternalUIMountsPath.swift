/// `sys/internal/ui/mounts/:path`: which mount serves a path. The `vault` CLI asks it before
/// reads and writes (its KV preflight); non-KV mounts answer without `options.version`.
enum SysInternalUIMountsPath {
    static let path = APIPath(
        "sys/internal/ui/mounts/*path", scope: .system,
        help: "The mount that serves a path.",
        operations: [.read: { ctx in
            guard let engine = await ctx.services.mounts.resolve(ctx.parameter("path"))?.0 else { return .notFound }
            var data = SysMountsPath.describe(engine.entry)
            data["path"] = .string(engine.entry.path)
            return .data(data)
        }])
}
