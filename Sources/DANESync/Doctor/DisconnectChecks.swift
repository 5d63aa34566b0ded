import DANECore
import Foundation

/// `danesync doctor` for design.md "Revocation and disconnect", when `disconnect.sessions_dir`
/// is set: the hook can record every accepted session (else every accept is refused with 2),
/// and the agent can send what it must.
extension RadiusChecks {
    /// Both lines that run `daneverify` — `verify { client }` and the gate's exec program —
    /// pass the NAS address and the station, and the FreeRADIUS user can write `sessions_dir`.
    func sessionChecks(modules: [File], client: String?, user: Account) -> [DoctorCheck] {
        guard let directory = config.disconnect.sessionsDir else { return [] }
        var checks: [DoctorCheck] = []
        let programs = modules.flatMap { $0.root.allSections }.compactMap { section -> String? in
            guard section.name == "exec", let program = section.value("program"), program.contains("daneverify")
            else { return nil }
            return program
        }
        let lines = [client].compactMap { $0 } + programs
        let lacking = lines.filter { line in
            let words = line.split(separator: " ")
            return !words.contains("--nas-ip-address") || !words.contains("--calling-station-id")
        }
        if lacking.isEmpty {
            checks.append(.pass("daneverify is given the session (NAS address, station) to record in \(directory)"))
        } else {
            checks.append(
                .fail(
                    "disconnect.sessions_dir is set but \(lacking.count) daneverify line(s) lack --nas-ip-address or --calling-station-id: every accept there is refused (2)",
                    fix:
                        "add --nas-ip-address %{%{NAS-IP-Address}:-%{Packet-Src-IP-Address}} --calling-station-id %{Calling-Station-Id} --acct-session-id %{Acct-Session-Id}, as the shipped modules do"
                ))
        }
        if Self.isDirectory(directory) && user.may(.write, directory) && user.may(.execute, directory) {
            checks.append(.pass("disconnect.sessions_dir \(directory) is writable by the FreeRADIUS user \(user)"))
        } else {
            checks.append(
                .fail(
                    "disconnect.sessions_dir \(directory) is missing or not writable by the FreeRADIUS user \(user): every accept is refused (2)",
                    fix:
                        "install -d -o danesync -g \(user) -m 0770 \(directory) (the package makes /var/lib/danesync/sessions)"
                ))
        }
        return checks
    }
}

extension Doctor {
    /// The agent's half: a NAS to send to, its secret readable, and the command runnable.
    static func disconnectChecks(_ config: Config) -> [DoctorCheck] {
        let disconnect = config.disconnect
        guard disconnect.sessionsDir != nil else { return [] }
        var checks: [DoctorCheck] = []
        if disconnect.nas.isEmpty {
            checks.append(
                .fail(
                    "disconnect.nas is empty: every revoked session is reported unknown-nas, none is disconnected",
                    fix: "list each NAS's dynamic-authorization address, port and secret_file"))
        }
        let unreadable = disconnect.nas.filter { !Loaded.isReadable($0.secretFile) }
        if !unreadable.isEmpty {
            checks.append(
                .fail(
                    "disconnect.nas secret_file not readable: \(unreadable.map { "\($0.address) \($0.secretFile)" }.joined(separator: ", "))",
                    fix:
                        "create it with the NAS's dynamic-authorization secret, readable by the agent (mode 0640 root:freerad)"
                ))
        } else if !disconnect.nas.isEmpty {
            checks.append(.pass("disconnect.nas: \(disconnect.nas.count) NAS(es), every secret_file readable"))
        }
        let program = String(disconnect.command.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        if access(program, X_OK) == 0 {
            checks.append(.pass("disconnect.command \(program) is executable"))
        } else {
            checks.append(
                .fail(
                    "disconnect.command \(program) is missing or not executable: no session is disconnected",
                    fix: "install danesync's /usr/libexec/danesync/disconnect (needs radclient, freeradius-utils)"))
        }
        return checks
    }
}
