import DANETestSupport
import Foundation

/// The local lab (knot + nginx, see scripts/lab/): started once per test process unless
/// `DANESYNC_LAB` names a directory where `scripts/lab/up.sh` already ran.
enum Lab {
    /// The lab directory (LABDIR of the scripts), brought up on first use.
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["DANESYNC_LAB"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let dir = Scratch.directory("danesync-lab")
        do { try up(dir.path) } catch { preconditionFailure("\(error)") }
        atexit {
            _ = Lab.script("down.sh", Lab.directory.path)
        }
        return dir
    }()

    /// Brings a lab up in `directory` (scripts/lab/up.sh); a failure carries the script's last
    /// lines of stderr, which name the server that did not start and its log.
    static func up(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let run = try Command.run(Repository.path("scripts/lab/up.sh"), [directory])
        guard run.status == 0 else {
            throw Command.Failure("scripts/lab/up.sh \(directory) failed (\(run.status)): \(run.stderr.suffix(1500))")
        }
    }

    /// Runs `scripts/lab/NAME` and returns its exit status (-1 when it could not run).
    /// ``Command`` spawns it, so the daemons it starts (knotd, nginx) cannot hold the test up.
    @discardableResult
    static func script(_ name: String, _ arguments: String...) -> Int32 {
        (try? Command.run(Repository.path("scripts/lab/\(name)"), arguments))?.status ?? -1
    }

    /// A variable from one of the env files (`dns/dns.env`, `https/https.env`) of the lab in
    /// `directory`: this one, or `VerifyLab`'s own.
    static func env(_ file: String, _ key: String, in directory: String = Lab.directory.path) -> String {
        let text = (try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(key + "=") {
            return String(line.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        fatalError("\(key) not in \(directory)/\(file)")
    }

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
}
