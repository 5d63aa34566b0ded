#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion, or kills it at a deadline: the one spawner of the project
/// (`sync.on_ca_change`, and the tests' lab scripts and command runs).
///
/// Spawned with `posix_spawn` and every descriptor above 2 closed in the child, then waited for
/// with `waitpid`. Foundation's `Process` is not used: it waits for end-of-file on pipes that a
/// daemon the command starts (FreeRADIUS, knotd, nginx) inherits, and would hang its caller.
/// No shell is involved: the arguments are passed as they are.
public enum ChildProcess {
    /// How the program ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        /// Still running at the deadline: killed with SIGKILL and reaped.
        case timedOut(Duration)

        public var description: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signalled(let signal): return "signal \(signal)"
            case .timedOut(let limit): return "timed out after \(limit)"
            }
        }

        /// The shell's convention: the exit code, 128 + signal, or -1 after a time-out.
        public var shellStatus: Int32 {
            switch self {
            case .exited(let code): return code
            case .signalled(let signal): return 128 + signal
            case .timedOut: return -1
            }
        }
    }

    public struct SpawnError: Error, Equatable, Sendable, CustomStringConvertible {
        public var program: String
        public var reason: String
        public var description: String { "cannot start \(program): \(reason)" }
    }

    /// Where a standard descriptor of the child goes: inherited from the caller, or a file
    /// (stdin read from it; stdout/stderr created or truncated, mode 0600).
    public enum Stream: Sendable {
        case inherit
        case file(String)
    }

    /// Runs `arguments[0]` (looked up in `PATH` when it has no `/`) with the rest as its
    /// arguments, and waits at most `timeLimit`.
    ///
    /// - Parameter environment: `NAME=value` strings; `nil` passes the caller's environment.
    public static func run(
        _ arguments: [String], stdin: Stream = .inherit, stdout: Stream = .inherit, stderr: Stream = .inherit,
        environment: [String]? = nil, timeLimit: Duration
    ) throws(SpawnError) -> Termination {
        try run(
            arguments.map { Array($0.utf8) }, stdin: stdin, stdout: stdout, stderr: stderr,
            environment: environment, timeLimit: timeLimit)
    }

    /// The same, with arguments as raw bytes (tests pass invalid UTF-8 on purpose).
    public static func run(
        _ arguments: [[UInt8]], stdin: Stream = .inherit, stdout: Stream = .inherit, stderr: Stream = .inherit,
        environment: [String]? = nil, timeLimit: Duration
    ) throws(SpawnError) -> Termination {
        let program = String(decoding: arguments.first ?? [], as: UTF8.self)
        guard !arguments.isEmpty else { throw SpawnError(program: "", reason: "no program given") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in openDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        let writeFlags = O_WRONLY | O_CREAT | O_TRUNC
        for (fd, stream, flags) in [(Int32(0), stdin, O_RDONLY), (1, stdout, writeFlags), (2, stderr, writeFlags)] {
            if case .file(let path) = stream { posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o600) }
        }
        let argv = arguments.map(cString) + [nil]
        defer { argv.forEach { $0?.deallocate() } }
        let envp = environment.map { $0.map { cString(Array($0.utf8)) } + [nil] }
        defer { envp?.forEach { $0?.deallocate() } }

        var pid = pid_t()
        let status = argv.withUnsafeBufferPointer { argv in
            if let envp {
                return envp.withUnsafeBufferPointer {
                    posix_spawnp(&pid, argv[0]!, &actions, nil, argv.baseAddress!, $0.baseAddress!)
                }
            }
            return posix_spawnp(&pid, argv[0]!, &actions, nil, argv.baseAddress!, environ)
        }
        guard status == 0 else { throw SpawnError(program: program, reason: systemErrorText(status)) }
        return wait(pid, timeLimit: timeLimit)
    }

    /// Polls `waitpid` (a blocking wait could not be bounded), sleeping 1 ms at first and up
    /// to 20 ms, so a quick command is seen to end quickly and a long one costs little.
    private static func wait(_ pid: pid_t, timeLimit: Duration) -> Termination {
        let deadline = Deadline(after: timeLimit)
        var pause: UInt32 = 1_000
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                // ECHILD: someone else reaped it (SIGCHLD ignored); its status is lost.
                return .exited(-1)
            }
            if deadline.hasPassed {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .timedOut(timeLimit)
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }

    /// The descriptors open in this process, from `/proc/self/fd` (Linux).
    private static func openDescriptors() -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var out: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd != own { out.append(fd) }
        }
        return out
    }

    private static func cString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        for (index, byte) in bytes.enumerated() { pointer[index] = CChar(bitPattern: byte) }
        pointer[bytes.count] = 0
        return pointer
    }
}
