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
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("danesync-lab-\(getpid())")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let status = script("up.sh", dir.path)
        precondition(status == 0, "scripts/lab/up.sh failed (\(status))")
        atexit {
            _ = Lab.script("down.sh", Lab.directory.path)
        }
        return dir
    }()

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
