import DANECore
import DANEPublish
import DANEResolve
import Foundation
import Logging

/// Finds and publishes `zone-anchors` (``ZoneAnchors``, design.md "Outputs") after a pass: for
/// the parent of every name of the policy, the closest enclosing zone whose DS RRset validates as
/// secure from `dns.trust_anchor_file`. Only what validated is written; a zone that could not
/// be found (insecure, bogus, timed out) is left out, and the hook validates it from the
/// configured anchor as before.
struct ZoneAnchorSource {
    var dns: Config.DNS
    var logger: Logger

    /// At most this many distinct parents are looked at per pass (a few lookups each).
    static let maximumParents = 64

    /// Writes the file (removes it when there is nothing to write); whether it changed.
    func publish(for names: [DeviceName], into directory: String) async -> Bool {
        let path = directory + "/" + Config.OutputFile.zoneAnchors
        guard dns.requireDNSSEC else { return remove(path) }
        let lines = await anchors(for: names)
        guard !lines.isEmpty else { return remove(path) }
        do {
            return try AtomicFile.write(ZoneAnchors.render(lines), to: path)
        } catch {
            logger.error("cannot write zone-anchors", metadata: ["reason": "\(error)"])
            return false
        }
    }

    /// The DS lines of the zones above `names`, looked up off the cooperative pool (each lookup
    /// blocks its thread for at most `dns.timeout`).
    func anchors(for names: [DeviceName]) async -> [String] {
        let dns = self.dns
        let logger = self.logger
        var parents: [DeviceName] = []
        var seen: Set<String> = []
        for name in names {
            guard let parent = ZoneAnchors.parent(of: name), seen.insert(parent).inserted else { continue }
            parents.append(name)
            if parents.count == Self.maximumParents { break }
        }
        let chosen = parents
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var found: [String: [String]] = [:]
                var tried: Set<String> = []
                for name in chosen {
                    for zone in ZoneAnchors.candidateZones(of: name) {
                        if found[zone] != nil { break }
                        guard tried.insert(zone).inserted else { continue }
                        let answer: RawAnswer
                        do {
                            answer = try UnboundLookup.delegationSigners(at: zone, dns: dns, timeout: dns.timeout)
                        } catch {
                            logger.warning("zone anchors not looked up", metadata: ["reason": "\(error)"])
                            return continuation.resume(returning: [])
                        }
                        guard case .response(_, let security, let records) = answer.outcome else { break }
                        // A secure DS RRset is a signed delegation: the zone. Secure and empty is
                        // no zone cut here: go up. Anything else: leave it to the root anchor.
                        guard security == .secure else { break }
                        if records.isEmpty { continue }
                        found[zone] = records.compactMap { ZoneAnchors.line(owner: zone, rdata: $0) }
                        break
                    }
                }
                continuation.resume(returning: found.values.flatMap { $0 })
            }
        }
    }

    private func remove(_ path: String) -> Bool {
        unlink(path) == 0
    }
}
