import DANECore
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
        guard let radiusd = Self.parse(main, into: &checks) else {
            checks.append(
                .fail(
                    "no FreeRADIUS configuration at \(main)",
                    fix: "give --raddb DIR (Debian: /etc/freeradius/3.0)"))
            return checks
        }
        var variables: [String: String] = [:]
        for case .pair(let key, let value) in radiusd.root.items { variables[key] = value }
        variables["raddbdir"] = variables["raddbdir"] ?? raddb
        variables["confdir"] = variables["confdir"] ?? raddb
        let expand = { (value: String) in RadiusConfig.expand(value, variables) }

        guard let user = Self.radiusUser(radiusd.root, into: &checks) else { return checks }
        let modules = Self.files(in: raddb + "/mods-enabled", into: &checks)
        let sites = Self.files(in: raddb + "/sites-enabled", into: &checks)

        // The eap module whose tls-config takes its CAs from output.dir.
        let caFile = config.output.dir + "/" + Config.OutputFile.caPEM
        let caPath = config.output.dir + "/" + Config.OutputFile.caDirectory
        var found: (file: File, eap: RadiusConfig.Section, tls: RadiusConfig.Section)?
        for file in modules {
            for eap in file.root.allSections where eap.name == "eap" {
                for tls in eap.allSections where tls.name == "tls-config" || tls.name == "tls" {
                    let file_ = tls.value("ca_file").map(expand).map(Self.trimmed)
                    let path = tls.value("ca_path").map(expand).map(Self.trimmed)
                    if file_ == caFile || path == caPath { found = (file, eap, tls) }
                }
            }
        }
        guard let (file, eap, tls) = found else {
            checks.append(
                .fail(
                    "no eap module in \(raddb)/mods-enabled takes ca_file \(caFile) or ca_path \(caPath)",
                    fix:
                        "install the shipped eap module (radius-config/mods-available/eap-danesync) as mods-enabled/eap, with ca_path pointing at output.dir"
                ))
            return checks
        }
        let source = tls.value("ca_path").map { "ca_path \(expand($0))" } ?? "ca_file \(expand(tls.value("ca_file")!))"
        checks.append(
            .pass("eap tls-config \(tls.instance ?? tls.name) (\(file.path)) takes its CAs from output.dir (\(source))")
        )
        checks.append(readable(by: user))

        let verify = tls.sections("verify").first
        checks.append(tmpdirCheck(verify, user: user, expand: expand))
        checks.append(contentsOf: clientChecks(verify, user: user, expand: expand))

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
        let denied = ([directory] + files).filter { !user.may(.read, $0) }
        guard denied.isEmpty, user.may(.execute, directory) else {
            return .fail(
                "output.dir \(directory) is not readable by the FreeRADIUS user \(user): \((denied.isEmpty ? [directory] : denied).joined(separator: ", "))",
                fix: "give it to group \(user) (chgrp -R; mode 0750 for the directory), as the danesync unit does")
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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: tmpdir, isDirectory: &isDirectory), isDirectory.boolValue else {
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
            !zip(words, words.dropFirst()).contains { $0 == flag && $1 == value }
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
        return .pass(
            "the tmpdir-free gate: virtual server \(name) runs \(gate.instance ?? "exec") (daneverify --cert-serial)")
    }

    /// The files of a `*-enabled` directory (symlinks followed), parsed; unreadable or
    /// unparsable ones become failed checks.
    static func files(in directory: String, into checks: inout [DoctorCheck]) -> [File] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") && !$0.hasSuffix("~") }.compactMap {
            parse(directory + "/" + $0, into: &checks)
        }
    }

    static func parse(_ path: String, into checks: inout [DoctorCheck]) -> File? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        do {
            return File(path: path, root: try RadiusConfig.parse(text))
        } catch {
            checks.append(.fail("\(path): \(error)", fix: "correct the FreeRADIUS syntax (freeradius -XC)"))
            return nil
        }
    }

    /// A directory path without its trailing slash.
    static func trimmed(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
