import Foundation

/// Names for the tests' temporary directories.
public enum Scratch {
    /// `<tmp>/<prefix>-<8 hex digits>`, fresh at each call. Not the PID: PIDs repeat across boots
    /// of one machine image (as in CI), and the lab scripts take a stale directory of that name
    /// for a lab that is already up, or reuse its leftovers.
    public static func directory(_ prefix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())")
    }

    /// A fresh ``directory(_:)``, created: its path.
    public static func created(_ prefix: String) throws -> String {
        let path = directory(prefix).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
