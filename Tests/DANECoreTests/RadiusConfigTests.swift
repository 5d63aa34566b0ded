import DANECore
import Foundation
import Testing

/// The FreeRADIUS configuration reader `danesync doctor` uses (FreeRADIUS doc/configuration
/// "Syntax").
struct RadiusConfigTests {
    static let eap = """
        # a comment { with a brace
        eap {
        \tdefault_eap_type = tls
        \ttls-config tls-danesync {
        \t\tca_path = ${cadir}/ca.d   # trailing comment
        \t\tcache { enable = no }
        \t\tverify {
        \t\t\ttmpdir = /run/freeradius/verify
        \t\t\tclient = "/usr/bin/daneverify --identity %{User-Name} --note \\"quoted\\""
        \t\t}
        \t}
        \ttls {
        \t\ttls = tls-danesync
        \t\tvirtual_server = "danesync-gate"
        \t}
        }
        server danesync-gate {
        \tauthorize {
        \t\tupdate request {
        \t\t\t&Tmp-String-1 !* ANY
        \t\t}
        \t\tdanesync_gate
        \t\tif (ok) {
        \t\t\tupdate control { &Auth-Type := Accept }
        \t\t}
        \t}
        }
        """

    @Test func test_sectionsPairsAndStatements_areRead() throws {
        let root = try RadiusConfig.parse(Self.eap)
        let eap = try #require(root.sections("eap").first)
        #expect(eap.value("default_eap_type") == "tls")
        let tls = try #require(eap.sections("tls-config").first)
        #expect(tls.instance == "tls-danesync")
        #expect(tls.value("ca_path") == "${cadir}/ca.d")
        #expect(tls.sections("cache").first?.value("enable") == "no")
        let verify = try #require(tls.sections("verify").first)
        #expect(verify.value("client") == "/usr/bin/daneverify --identity %{User-Name} --note \"quoted\"")
        #expect(eap.sections("tls").first?.value("virtual_server") == "danesync-gate")
        let server = try #require(root.sections("server").first)
        #expect(server.instance == "danesync-gate")
        #expect(server.contains(statement: ["danesync_gate"]))
        #expect(root.allSections.contains { $0.value("&Auth-Type") == "Accept" })
    }

    @Test func test_nestedExpansions_stayInsideTheirWord() throws {
        let root = try RadiusConfig.parse(
            "detail {\n\tfilename = ${radacctdir}/%{%{Packet-Src-IP-Address}:-%{Packet-Src-IPv6-Address}}/detail-%Y%m%d\n}\n"
        )
        #expect(
            root.sections("detail").first?.value("filename")
                == "${radacctdir}/%{%{Packet-Src-IP-Address}:-%{Packet-Src-IPv6-Address}}/detail-%Y%m%d")
    }

    /// Every module and site Debian's freeradius-config ships parses (doctor reads whatever an
    /// admin enabled). Needs the freeradius package, which scripts/install-deps installs.
    @Test func test_everyFileDebianShips_parses() throws {
        var count = 0
        for directory in ["/etc/freeradius/3.0/mods-available", "/etc/freeradius/3.0/sites-available"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            where !name.hasPrefix("README") {
                guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { continue }
                count += 1
                do {
                    _ = try RadiusConfig.parse(text)
                } catch {
                    Issue.record("\(directory)/\(name): \(error)")
                }
            }
        }
        let radiusd = try String(contentsOfFile: "/etc/freeradius/3.0/radiusd.conf", encoding: .utf8)
        do {
            _ = try RadiusConfig.parse(radiusd)
        } catch {
            Issue.record("radiusd.conf: \(error)")
        }
        #expect(count > 50, "Debian's freeradius-config files were read")
    }

    @Test func test_variables_expandRecursively_andUnknownOnesStay() {
        let variables = ["raddbdir": "/etc/freeradius/3.0", "confdir": "${raddbdir}", "certdir": "${confdir}/certs"]
        #expect(RadiusConfig.expand("${certdir}/ca.pem", variables) == "/etc/freeradius/3.0/certs/ca.pem")
        #expect(RadiusConfig.expand("${nosuch}/x", variables) == "${nosuch}/x")
    }

    @Test func test_unbalancedBracesAndOpenQuotes_areSyntaxErrors() {
        #expect(throws: RadiusConfig.SyntaxError.self) { try RadiusConfig.parse("eap {\n") }
        #expect(throws: RadiusConfig.SyntaxError.self) { try RadiusConfig.parse("}\n") }
        #expect(throws: RadiusConfig.SyntaxError.self) { try RadiusConfig.parse("client = \"open\n") }
    }
}
