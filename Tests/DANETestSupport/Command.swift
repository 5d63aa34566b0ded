import DANESystem
import Foundation

/// Runs a program for a test and collects what it printed: ``ChildProcess`` underneath (so a
/// daemon a lab script starts cannot hold the test up), stdin, stdout and stderr through
/// temporary files (so neither output can fill a pipe and stall the program).
public enum Command {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public struct Output: Sendable {
        /// The exit code, 128 + signal, or -1 after a time-out.
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        /// The arguments, shortened, for messages.
        public var shown: String

        /// stdout as text without surrounding white space.
        public var text: String {
            String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Runs `executable` (a path, or a name looked up in `PATH`) with `arguments`.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], input: [UInt8]? = nil, environment: [String: String]? = nil,
        timeLimit: Duration = .seconds(300)
    ) throws -> Output {
        try run(
            executable, raw: arguments.map { Array($0.utf8) }, input: input, environment: environment,
            timeLimit: timeLimit)
    }

    /// The same with arguments as bytes (hostile-input tests pass invalid UTF-8).
    @discardableResult
    public static func run(
        _ executable: String, raw arguments: [[UInt8]], input: [UInt8]? = nil, environment: [String: String]? = nil,
        timeLimit: Duration = .seconds(300)
    ) throws -> Output {
        let base = NSTemporaryDirectory() + "danesync-command-\(UUID().uuidString)"
        let (inPath, outPath, errPath) = (base + ".in", base + ".out", base + ".err")
        defer { for path in [inPath, outPath, errPath] { try? FileManager.default.removeItem(atPath: path) } }
        guard FileManager.default.createFile(atPath: inPath, contents: Data(input ?? [])) else {
            throw Failure("cannot create \(inPath)")
        }
        let termination: ChildProcess.Termination
        do {
            termination = try ChildProcess.run(
                [Array(executable.utf8)] + arguments, stdin: .file(inPath), stdout: .file(outPath),
                stderr: .file(errPath), environment: environment.map { $0.map { "\($0.key)=\($0.value)" } },
                timeLimit: timeLimit)
        } catch {
            throw Failure("\(error)")
        }
        let shown = ([executable] + arguments.map { String(decoding: $0.prefix(80), as: UTF8.self) })
            .joined(separator: " ")
        if case .timedOut = termination { throw Failure("\(shown): \(termination)") }
        return Output(
            status: termination.shellStatus,
            stdout: Array((try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()),
            stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self),
            shown: shown)
    }
}
