import DANECore
import DANEPublish
import DANESystem
import Foundation

/// The FreeRADIUS half of `danesync doctor`: reads `radiusd.conf`, `mods-enabled/` and
/// `sites-enabled/` under `raddb` and checks what design.md "Admission and failure rules" asks
/// of the deployment — the eap module's CAs come from `output.dir`, `verify {}` has a tmpdir the
/// FreeRADIUS user can write (else FreeRADIUS skips the hook) and a client line that runs
/// `daneverify` on this config, the tmpdir-free gate is in place, and the TLS session cache is
/// off or covered by the gate.
struct RadiusChecks {
    let config: Config
    let configPath: String
    let raddb: String

    /// A parsed file and where it came from (for the messages).
    struct File {
        var path: String
        var root: RadiusConfig.Section
    }

    func run() -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let main = raddb + "/radiusd.conf"
        // A missing or unreadable radiusd.conf has been named by parse: nothing else can be read.
        guard let radiusd = Self.parse(main, into: &checks) else { return checks }
        var variables: [String: String] = [:]
        for case .pair(let key, let value) in radiusd.root.items { variables[key] = value }
        variables["raddbdir"] = variables["raddbdir"] ?? raddb
        variables["confdir"] = variables["confdir"] ?? raddb
        let expand = { (value: String) in RadiusConfig.expand(value, variables) }

        guard let user = Self.radiusUser(radiusd.root, into: &checks) else { return checks }
        let modules = Self.files(in: raddb + "/mods-enabled", into: &checks)
        let sites = Self.files(in: raddb + "/sites-enabled", into: &checks)

        // The eap module whose EAP-TLS configuration takes its CAs from output.dir: eap's
        // `tls {}` names a `tls-config` (`tls = NAME`) or holds the settings itself.
        let caFile = Self.normalized(config.output.dir + "/" + Config.OutputFile.caPEM)
        let caPath = Self.normalized(config.output.dir + "/" + Config.OutputFile.caDirectory)
        var found: (file: File, eap: RadiusConfig.Section, tls: RadiusConfig.Section, sources: [String])?
        for file in modules {
            for eap in file.root.allSections where eap.name == "eap" {
                guard let method = eap.sections("tls").first else { continue }
                let tls =
                    method.value("tls").flatMap { name in
                        eap.sections("tls-config").first { $0.instance == name }
                    } ?? method
                let sources = ["ca_file", "ca_path"].compactMap { key in
                    tls.value(key).map { (key, Self.normalized(expand($0))) }
                }
                if sources.contains(where: { $0 == ("ca_file", caFile) || $0 == ("ca_path", caPath) }) {
                    found = (file, eap, tls, sources.map { "\($0.0) \($0.1)" })
                }
            }
        }
        guard let (file, eap, tls, sources) = found else {
            checks.append(
                .fail(
                    "no enabled eap module in \(raddb)/mods-enabled takes ca_file \(caFile) or ca_path \(caPath) for EAP-TLS",
                    fix:
                        "install the shipped eap module (radius-config/mods-available/eap-danesync) as mods-enabled/eap, with ca_path pointing at output.dir"
                ))
            return checks
        }
        let name = "eap tls-config \(tls.instance ?? tls.name) (\(file.path))"
        let foreign = sources.filter { $0 != "ca_file \(caFile)" && $0 != "ca_path \(caPath)" }
        if foreign.isEmpty {
            checks.append(.pass("\(name) takes its CAs from output.dir only (\(sources.joined(separator: ", ")))"))
        } else {
            checks.append(
                .fail(
                    "\(name) also trusts \(foreign.joined(separator: ", ")): any certificate under those CAs completes the handshake",
                    fix: "remove those lines; output.dir's ca_path (or ca_file) must be the only CA source"))
        }
        checks.append(reloadCheck(tls))
        checks.append(readable(by: user))

        let verify = tls.sections("verify").first
        checks.append(tmpdirCheck(verify, user: user, expand: expand))
        checks.append(contentsOf: clientChecks(verify, user: user, expand: expand))
        checks.append(
            contentsOf: sessionChecks(modules: modules, client: verify?.value("client").map(expand), user: user))

        let gate = gateCheck(eap: eap, modules: modules, sites: sites)
        checks.append(gate)
        let cacheOn =
            tls.sections("cache").first?.value("enable").map { ["yes", "true", "1"].contains($0.lowercased()) } ?? false
        if !cacheOn {
            checks.append(.pass("the TLS session cache is off"))
        } else if gate.ok {
            checks.append(.pass("the TLS session cache is on; resumed sessions still pass the gate"))
        } else {
            checks.append(
                .fail(
                    "the TLS session cache is on and there is no gate: a resumed session is admitted without daneverify",
                    fix: "set cache { enable = no } in tls-config \(tls.instance ?? "") or install the gate"))
        }
        return checks
    }

    /// A changed CA set must reach FreeRADIUS: `ca_path` is re-read every
    /// `ca_path_reload_interval` seconds (0, the default, never), `ca_file` only at start — so
    /// without a reload interval `sync.on_ca_change` must restart it (design.md "Protocol facts").
    func reloadCheck(_ tls: RadiusConfig.Section) -> DoctorCheck {
        let interval = tls.value("ca_path_reload_interval").flatMap { Int($0) } ?? 0
        if tls.value("ca_path") != nil, interval > 0 {
            return .pass("FreeRADIUS re-reads ca_path every \(interval) s: CA changes need no restart")
        }
        if let command = config.sync.onCAChange {
            return .pass("sync.on_ca_change (\(command)) tells FreeRADIUS about CA changes")
        }
        return .fail(
            "FreeRADIUS reads its CAs only at start (\(tls.value("ca_path") != nil ? "ca_path without ca_path_reload_interval" : "ca_file")) and sync.on_ca_change is not set: a new CA is not trusted, a removed one still is, until FreeRADIUS restarts",
            fix: "use ca_path with ca_path_reload_interval = 300 (the shipped module does) or set sync.on_ca_change")
    }

    /// `security { user = … }` of radiusd.conf, else the user doctor runs as (FreeRADIUS keeps
    /// the user that started it when none is named).
    static func radiusUser(_ root: RadiusConfig.Section, into checks: inout [DoctorCheck]) -> Account? {
        if let name = root.sections("security").first?.value("user") {
            guard let account = Account.named(name) else {
                checks.append(
                    .fail("the FreeRADIUS user \(name) (security.user) does not exist", fix: "install freeradius"))
                return nil
            }
            return account
        }
        return Account.current()
    }

    /// Everything FreeRADIUS and the hook read in output.dir, readable by the FreeRADIUS user.
    func readable(by user: Account) -> DoctorCheck {
        let directory = config.output.dir
        let files = [Config.OutputFile.caPEM, Config.OutputFile.caDirectory, Config.OutputFile.trustMap]
            .map { directory + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0) }
        // Directories need x as well as r (OpenSSL opens files inside ca.d by name).
        let denied = ([directory] + files).filter { path in
            !user.may(.read, path) || (Self.isDirectory(path) && !user.may(.execute, path))
        }
        guard denied.isEmpty else {
            return .fail(
                "output.dir \(directory) is not readable by the FreeRADIUS user \(user): \(denied.joined(separator: ", "))",
                fix:
                    "give it to the FreeRADIUS user's group (chgrp -R freerad; mode 0750 for directories), as the package does"
            )
        }
        return .pass("output.dir \(directory) is readable by the FreeRADIUS user \(user)")
    }

    func tmpdirCheck(
        _ verify: RadiusConfig.Section?, user: Account, expand: (String) -> String
    ) -> DoctorCheck {
        guard let verify else {
            return .fail(
                "the tls-config has no verify {} section: daneverify never runs", fix: "use the shipped eap module")
        }
        guard let tmpdir = verify.value("tmpdir").map(expand) else {
            return .fail(
                "verify {} has no tmpdir: FreeRADIUS writes no certificate file and runs no client",
                fix: "set tmpdir = /run/freeradius/verify (the shipped unit drop-in creates it)")
        }
        guard Self.isDirectory(tmpdir) else {
            return .fail(
                "verify tmpdir \(tmpdir) does not exist: FreeRADIUS skips daneverify (only the gate then stands)",
                fix:
                    "create it for the FreeRADIUS user (install -d -o \(user) -m 0700 \(tmpdir)); the shipped systemd drop-in does"
            )
        }
        guard user.may(.write, tmpdir), user.may(.execute, tmpdir) else {
            return .fail(
                "verify tmpdir \(tmpdir) is not writable by the FreeRADIUS user \(user): FreeRADIUS skips daneverify",
                fix: "chown \(user) \(tmpdir); chmod 0700 \(tmpdir)")
        }
        return .pass("verify tmpdir \(tmpdir) exists and is writable by \(user)")
    }

    /// The client line: daneverify, this config, and the attributes the hook needs.
    func clientChecks(
        _ verify: RadiusConfig.Section?, user: Account, expand: (String) -> String
    ) -> [DoctorCheck] {
        guard let client = verify?.value("client").map(expand) else {
            return [
                .fail(
                    "verify {} has no client: no certificate is checked against DNS",
                    fix: "use the shipped eap module's client line")
            ]
        }
        let words = client.split(separator: " ").map(String.init)
        let wanted = [
            ("--config", configPath), ("--identity", "%{User-Name}"), ("--cert", "%{TLS-Client-Cert-Filename}"),
            ("--called-station-id", "%{Called-Station-Id}"),
        ]
        let missing = wanted.filter { flag, value in
            !zip(words, words.dropFirst()).contains {
                $0 == flag && (flag == "--config" ? Self.normalized($1) == Self.normalized(value) : $1 == value)
            }
        }
        guard let program = words.first, program.hasSuffix("daneverify") else {
            return [
                .fail(
                    "verify client does not run daneverify: \(client)", fix: "use the shipped eap module's client line")
            ]
        }
        var checks: [DoctorCheck] = []
        if missing.isEmpty {
            checks.append(
                .pass("verify client runs \(program) on \(configPath) with the identity, certificate and SSID"))
        } else {
            checks.append(
                .fail(
                    "verify client lacks \(missing.map { "\($0.0) \($0.1)" }.joined(separator: ", "))",
                    fix: "use the shipped eap module's client line"))
        }
        if user.may(.execute, program) {
            checks.append(.pass("\(program) is executable by the FreeRADIUS user \(user)"))
        } else {
            checks.append(
                .fail("\(program) is missing or not executable by \(user)", fix: "install it (mode 0755)"))
        }
        return checks
    }

    /// eap's `tls { virtual_server = … }` names a server in sites-enabled that runs an enabled
    /// exec module calling `daneverify --cert-serial`.
    func gateCheck(eap: RadiusConfig.Section, modules: [File], sites: [File]) -> DoctorCheck {
        let fix =
            "install the gate: radius-config/mods-available/danesync-gate in mods-enabled, sites-available/danesync-gate in sites-enabled, and virtual_server = \"danesync-gate\" in eap's tls {}"
        guard let name = eap.sections("tls").compactMap({ $0.value("virtual_server") }).first else {
            return .fail(
                "no tmpdir-free gate: eap's tls {} names no virtual_server, so a skipped hook admits the device",
                fix: fix)
        }
        guard
            let server = sites.lazy.flatMap({ $0.root.allSections }).first(where: {
                $0.name == "server" && $0.instance == name
            })
        else {
            return .fail("no tmpdir-free gate: virtual server \(name) is not in \(raddb)/sites-enabled", fix: fix)
        }
        let gates = modules.flatMap { $0.root.allSections }.filter {
            $0.name == "exec" && ($0.value("program") ?? "").contains("daneverify")
                && ($0.value("program") ?? "").contains("--cert-serial")
        }
        guard let gate = gates.first(where: { server.contains(statement: [$0.instance ?? "exec"]) }) else {
            return .fail(
                "no tmpdir-free gate: virtual server \(name) calls no enabled exec module running daneverify --cert-serial",
                fix: fix)
        }
        let module = gate.instance ?? "exec"
        // Without `wait = yes` rlm_exec does not wait for the exit code: the gate would admit all.
        if let wait = gate.value("wait"), !["yes", "true", "1"].contains(wait.lowercased()) {
            return .fail(
                "the gate's exec module \(module) has wait = \(wait): its exit code is never read, so it admits every device",
                fix: "set wait = yes in \(module)")
        }
        let words = (gate.value("program") ?? "").split(separator: " ").map(String.init)
        guard
            zip(words, words.dropFirst()).contains(where: {
                $0 == "--config" && Self.normalized($1) == Self.normalized(configPath)
            })
        else {
            return .fail(
                "the gate's exec module \(module) does not run daneverify --config \(configPath)",
                fix: "use the shipped danesync-gate module's program line")
        }
        return .pass(
            "the tmpdir-free gate: virtual server \(name) runs \(module) (daneverify --cert-serial, wait = yes)")
    }

    /// The files of a `*-enabled` directory (symlinks followed), parsed; unreadable or
    /// unparsable ones become failed checks.
    static func files(in directory: String, into checks: inout [DoctorCheck]) -> [File] {
        let names: [String]
        do {
            names = try Directory.entries(directory)
        } catch {
            checks.append(.fail("cannot read \(directory): \(error)", fix: Self.readFix(error.errno)))
            return []
        }
        return names.sorted().filter { !$0.hasPrefix(".") && !$0.hasSuffix("~") }.compactMap {
            parse(directory + "/" + $0, into: &checks)
        }
    }

    /// What to do about a file doctor cannot read.
    static func readFix(_ code: Int32) -> String {
        code == EACCES
            ? "run doctor as root (FreeRADIUS's files are readable by freerad and root only)"
            : "give --raddb DIR (Debian: /etc/freeradius/3.0)"
    }

    /// The file parsed, or `nil` with a failed check that says why (missing, unreadable, bad syntax).
    static func parse(_ path: String, into checks: inout [DoctorCheck]) -> File? {
        let text: String
        do {
            text = String(decoding: try FileBytes.read(path, limit: 4 << 20), as: UTF8.self)
        } catch {
            let code: Int32 = access(path, F_OK) != 0 ? ENOENT : access(path, R_OK) != 0 ? EACCES : 0
            let why = code == ENOENT ? "does not exist" : code == EACCES ? "is not readable by this user" : "\(error)"
            checks.append(.fail("\(path) \(why)", fix: readFix(code)))
            return nil
        }
        do {
            return File(path: path, root: try RadiusConfig.parse(text))
        } catch {
            checks.append(.fail("\(path): \(error)", fix: "correct the FreeRADIUS syntax (freeradius -XC)"))
            return nil
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// A path as the kernel resolves it (symlinks, `..`, doubled and trailing slashes), so that
    /// `/var/lib/danesync/` and `/var/lib/danesync` are the same directory.
    static func normalized(_ path: String) -> String {
        let standard = (path as NSString).standardizingPath
        guard let resolved = realpath(standard, nil) else { return standard }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
