import DANECore
import Foundation

/// Reading config and policy files, with the one-line errors the commands print.
public enum Loaded {
    /// A command failure: each problem is one line on stderr, exit 2 (design.md "Command line").
    public struct Failure: Error, CustomStringConvertible {
        public var lines: [String]
        public var description: String { lines.joined(separator: "\n") }
    }

    public static func failure(_ lines: [String]) -> Failure { Failure(lines: lines) }

    public static func config(_ path: String) throws(Failure) -> Config {
        let text = try read(path, what: "config")
        do {
            return try ConfigParser.parse(text)
        } catch {
            throw Failure(lines: error.problems.map { "config \(path): \($0)" })
        }
    }

    public static func policy(_ path: String) throws(Failure) -> Policy {
        let text = try read(path, what: "policy")
        return try policy(text: text, source: path)
    }

    public static func policy(text: String, source: String) throws(Failure) -> Policy {
        do {
            return try PolicyParser.parse(text)
        } catch {
            throw Failure(lines: error.problems.map { "policy \(source): \($0)" })
        }
    }

    static func read(_ path: String, what: String) throws(Failure) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(lines: ["\(what) \(path): cannot read (missing or not readable)"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    public static func isReadable(_ path: String) -> Bool { FileManager.default.isReadableFile(atPath: path) }

    /// Why this process could not publish into `output.dir`, or `nil`: it must be a directory
    /// this user may write, or one it may create (design.md "Outputs").
    public static func outputDirectoryProblem(_ directory: String) -> String? {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            var parent = (directory as NSString).deletingLastPathComponent
            while !parent.isEmpty, parent != "/", stat(parent, &info) != 0 {
                parent = (parent as NSString).deletingLastPathComponent
            }
            if access(parent.isEmpty ? "/" : parent, W_OK | X_OK) == 0 { return nil }
            return
                "output.dir \(directory) does not exist and this user (uid \(getuid())) cannot create it in \(parent): "
                + "create it, e.g. install -d -o danesync -g freerad -m 0750 \(directory)"
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "output.dir \(directory) is not a directory" }
        guard access(directory, W_OK | X_OK) == 0 else {
            return "output.dir \(directory) is not writable by uid \(getuid()): "
                + "run this as root or as the user danesync runs as (sudo -u danesync)"
        }
        return nil
    }
}
