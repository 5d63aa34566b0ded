import DANECertify
import DANECore
import Foundation

/// What `danesync run` remembers of each `ok` name between passes, so that a pass inside the
/// TLSA answer's TTL costs a fraction of a cold one (design.md "Configuration", warm passes):
/// no DNS lookup, no certificate parsed or signature verified again.
///
/// Safe because nothing is kept longer than DNS itself allows: an entry lives until the TTL of
/// the validated answer it came from runs out (counted from the start of the pass that looked
/// it up, which is earlier than the lookup), so a record withdrawn at time W is looked up
/// again — and seen withdrawn — by the first pass after W + TTL: no later than TTL plus one
/// `sync.interval`, as a cache-less agent behind a caching resolver. Every warm pass still
/// fetches each CA URL (once) and requires the same CA chain as before, and checks the
/// validity dates of the certificates and CAs, so a CA withdrawn or replaced, or a certificate
/// expiring, is seen by the next pass as before. Only names whose last pass was `ok` are kept.
public final class WarmNames: @unchecked Sendable {
    /// One `ok` name: until when its answer holds, and what its accepted certificates need.
    struct Entry: Sendable {
        /// Unix seconds after which the name is looked up again.
        var expires: Int64
        var certificates: [Certificate]
        /// What was published, to match the record the pass carries over.
        var hashes: [String]
        var pins: [TLSARecord]
    }

    /// An accepted certificate: its issuer's key identifier, its chain and its validity.
    struct Certificate: Sendable {
        var issuer: [UInt8]
        var caFingerprints: [String]
        var notBefore: Date
        var notAfter: Date
    }

    private let lock = NSLock()
    private var entries: [DeviceName: Entry] = [:]
    /// The records of the last pass that published: the next pass starts from them instead of
    /// reading `status.json` back (which the first pass of `run` and `once` do).
    private var published: [DeviceName: NameRecord]?

    /// The last published records, handed over (the pass owns them from then on).
    func takePublished() -> [DeviceName: NameRecord]? {
        lock.withLock {
            defer { published = nil }
            return published
        }
    }

    func setPublished(_ records: [DeviceName: NameRecord]) { lock.withLock { published = records } }

    public init() {}

    func entry(_ name: DeviceName) -> Entry? { lock.withLock { entries[name] } }

    func set(_ name: DeviceName, _ entry: Entry?) { lock.withLock { entries[name] = entry } }

    /// Drops the names no longer in the policy.
    func keep(only names: Set<DeviceName>) {
        lock.withLock { entries = entries.filter { names.contains($0.key) } }
    }

    public var count: Int { lock.withLock { entries.count } }

    /// The entry an `ok` examination at `now` leaves: `nil` unless the answer was secure with a
    /// TTL, every certificate the outcome publishes was accepted with an issuer to walk from.
    static func entry(from examination: NameExamination, now: Int64) -> Entry? {
        guard case .ok(let accepted) = examination.outcome,
            case .records(let response) = examination.answerClass, response.security == .secure, response.ttl > 0
        else { return nil }
        var certificates: [Certificate] = []
        var covered: Set<String> = []
        for examined in examination.certificates
        where accepted.hashes.contains(examined.hash) && !covered.contains(examined.hash) {
            guard case .accepted(let fingerprints)? = examined.verdict, let facts = examined.facts,
                let issuer = facts.authorityKeyIdentifier
            else { continue }
            covered.insert(examined.hash)
            certificates.append(
                Certificate(
                    issuer: issuer, caFingerprints: fingerprints, notBefore: facts.notValidBefore,
                    notAfter: facts.notValidAfter))
        }
        // Every published certificate must be re-checkable from the entry alone.
        guard covered.count == accepted.hashes.count else { return nil }
        return Entry(
            expires: now + Int64(response.ttl), certificates: certificates, hashes: accepted.hashes,
            pins: accepted.pins)
    }
}
