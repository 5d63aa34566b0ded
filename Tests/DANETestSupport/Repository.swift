import Foundation

/// Where the tests find the repository (scripts/, policy-examples/, README.md) and the
/// executables this build made.
public enum Repository {
    /// The directory holding Package.swift, found upwards from this file.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The directory holding `danesync` and `daneverify`: `DANESYNC_BIN`, else next to the
    /// test bundle (`swift test` builds every product there), else `.build/debug`.
    public static let binaries: String = {
        if let dir = ProcessInfo.processInfo.environment["DANESYNC_BIN"], !dir.isEmpty { return dir }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        if FileManager.default.isExecutableFile(atPath: me + "/danesync") { return me }
        return path(".build/debug")
    }()

    /// The path of a built product, or a failure that says how to build it.
    public static func binary(_ product: String) throws -> String {
        let path = binaries + "/" + product
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Command.Failure("\(path) is not built (swift build --product \(product))")
        }
        return path
    }
}
