import Foundation

/// The local lab (knot + nginx, see scripts/lab/): started once per test process unless
/// `DANESYNC_LAB` names a directory where `scripts/lab/up.sh` already ran.
enum Lab {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The lab directory (LABDIR of the scripts), brought up on first use.
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["DANESYNC_LAB"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("danesync-lab-\(getpid())")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let status = script("up.sh", dir.path)
        precondition(status == 0, "scripts/lab/up.sh failed (\(status))")
        atexit {
            _ = Lab.script("down.sh", Lab.directory.path)
        }
        return dir
    }()

    /// Runs a lab script and waits for it. Spawned with every descriptor above 2 closed:
    /// Foundation's `Process` waits for EOF on a socket the script's daemons (knotd, nginx)
    /// would inherit, and would never return.
    @discardableResult
    static func script(_ name: String, _ arguments: String...) -> Int32 {
        let path = repository.appendingPathComponent("scripts/lab/\(name)").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// A variable from one of the lab's env files (`dns/dns.env`, `https/https.env`).
    static func env(_ file: String, _ key: String) -> String {
        let text = try! String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix(key + "=") {
            return String(line.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        fatalError("\(key) not in \(file)")
    }

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
}
