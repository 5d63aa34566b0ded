import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Runs `sync.on_ca_change` after `ca.pem` changed (design.md: e.g. restarting FreeRADIUS,
/// whose eap module reads `ca_file` only at start). The command is split on white space and
/// executed directly — no shell — so nothing from DNS or the policy is ever interpreted.
///
/// Spawned with only stdin/stdout/stderr inherited and waited for with `waitpid`, at most
/// ``timeLimit``: Foundation's `Process` waits for a socket that a daemon the command starts
/// would inherit, and would hang the agent.
public enum CAChangeHook {
    public static let timeLimit: Duration = .seconds(120)

    public static func run(_ command: String, logger: Logger) async {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { return }
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            // Waiting blocks a thread: keep it off the cooperative pool.
            Thread.detachNewThread { continuation.resume(returning: spawnAndWait(words)) }
        }
        if status == "exit 0" {
            logger.notice("on_ca_change ran", metadata: ["command": "\(command)", "status": "\(status)"])
        } else {
            logger.error("on_ca_change failed", metadata: ["command": "\(command)", "status": "\(status)"])
        }
    }

    /// "exit N", "signal N", "timed out", or why it could not start.
    static func spawnAndWait(_ words: [String]) -> String {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 && fcntl(fd, F_GETFD) >= 0 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawnp(&pid, words[0], &actions, nil, argv, environ)
        guard rc == 0 else { return "cannot start \(words[0]): \(String(cString: strerror(rc)))" }
        let deadline = ContinuousClock.now + timeLimit
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { return "waitpid: \(String(cString: strerror(errno)))" }
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                return "timed out after \(timeLimit)"
            }
            usleep(20_000)
        }
        if status & 0x7f == 0 { return "exit \((status >> 8) & 0xff)" }
        return "signal \(status & 0x7f)"
    }
}
