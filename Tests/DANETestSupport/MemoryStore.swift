import DANECertify
import DANECore
import DANEPublish
import Foundation

/// An ``OutputStore`` in memory. Like ``FileStore`` it reports a file as written only when
/// its content changed (the trust map compared without its generation time), hands the next
/// pass the records and CAs it published, and round-trips the records through
/// `status.json`'s encoding, as the real store does.
public final class MemoryStore: OutputStore, @unchecked Sendable {
    private let lock = NSLock()
    /// `nil` until the first publish: a first pass writes every file, even an empty one.
    private var cas: [String: CertificateFacts]?
    private var trustMap: [UInt8]?
    private var statusBytes: [UInt8] = []
    public private(set) var publishCount = 0
    /// Set when `ca.pem` changes, cleared by ``acknowledgeCAChange()``, as FileStore's marker.
    public private(set) var caChangePendingSince: Int64?

    public init() {}

    public func previousRecords(now: Int64, clockSkew: Duration) -> StatusDocument.ReadBack {
        let bytes = lock.withLock { statusBytes }
        guard !bytes.isEmpty, let status = try? JSONDecoder().decode(StatusDocument.self, from: Data(bytes)) else {
            return StatusDocument.ReadBack()
        }
        var records: [DeviceName: NameRecord] = [:]
        var rejected: [String] = []
        for entry in status.names {
            switch StatusDocument.record(from: entry, now: now, clockSkew: clockSkew) {
            case .success(let record): records[record.name] = record
            case .failure(let problem): rejected.append(problem.description)
            }
        }
        return StatusDocument.ReadBack(records: records, rejected: rejected)
    }

    public func previousCAs() -> [String: CertificateFacts] { lock.withLock { cas ?? [:] } }

    public func publish(_ outputs: Outputs) throws -> PublishReport {
        let rendered = TrustMapWriter.render(outputs.trustMap, generated: outputs.generated)
        let status = try outputs.status.encoded()
        return lock.withLock {
            publishCount += 1
            var written: [String] = []
            let newCAs = Dictionary(outputs.cas.map { ($0.sha256Hex, $0) }, uniquingKeysWith: { a, _ in a })
            if cas.map({ Set($0.keys) }) != Set(newCAs.keys) {
                written += [Config.OutputFile.caDirectory, Config.OutputFile.caPEM]
                cas = newCAs
                caChangePendingSince = caChangePendingSince ?? outputs.generated
            }
            if trustMap.map(Self.body) != Self.body(rendered) {
                written.append(Config.OutputFile.trustMap)
                trustMap = rendered
            }
            statusBytes = status
            written.append(Config.OutputFile.status)
            return PublishReport(written: written, caChangePendingSince: caChangePendingSince)
        }
    }

    /// CAs (by SHA-256) this store refuses, and why, as a CA whose subject OpenSSL cannot hash.
    public var refused: [String: String] {
        get { lock.withLock { refusals } }
        set { lock.withLock { refusals = newValue } }
    }
    private var refusals: [String: String] = [:]

    public func refusal(of ca: CertificateFacts) -> String? { lock.withLock { refusals[ca.sha256Hex] } }

    public func acknowledgeCAChange() throws { lock.withLock { caChangePendingSince = nil } }

    public func rewriteStatus(_ status: StatusDocument) throws {
        let bytes = try status.encoded()
        lock.withLock { statusBytes = bytes }
    }

    /// The published trust map, read back as `daneverify` reads it.
    public func trustMapEntry(network: String, name: DeviceName) throws -> TrustMapEntry? {
        let bytes = lock.withLock { trustMap ?? [] }
        return try bytes.withUnsafeBytes { raw in
            try TrustMapReader(bytes: raw).lookup(network: network, name: name)
        }
    }

    /// The CAs in `ca.pem`.
    public var publishedCAs: [CertificateFacts] { lock.withLock { cas.map { Array($0.values) } ?? [] } }

    /// SHA-256 fingerprints of the CAs in `ca.pem`.
    public var caFingerprints: Set<String> { lock.withLock { Set(cas.map { Array($0.keys) } ?? []) } }

    private static func body(_ map: [UInt8]) -> ArraySlice<UInt8> {
        guard let newline = map.firstIndex(of: 0x0a) else { return [] }
        return map[(newline + 1)...]
    }
}
