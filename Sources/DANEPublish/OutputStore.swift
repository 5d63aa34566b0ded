import DANECertify
import DANECore
import DANEDigest
import Foundation

/// Where a pass's results go, and where the next pass finds what the last one published
/// (design.md "Outputs"). One real implementation (``FileStore``); the test double lives in
/// Tests/DANETestSupport.
public protocol OutputStore: Sendable {
    /// The records of the last pass by name, for `sync.grace` and `since`, checked as
    /// untrusted input (entries in the future beyond `clockSkew`, or malformed, are refused);
    /// empty when there was none or it cannot be read.
    func previousRecords(now: Int64, clockSkew: Duration) -> StatusDocument.ReadBack
    /// The CAs published by the last pass, by SHA-256 fingerprint: a stale name keeps the
    /// CAs it relies on although this pass did not fetch them.
    func previousCAs() -> [String: CertificateFacts]
    /// Why a CA cannot be published (design.md "Admission and failure rules": it is dropped
    /// with the names that need it, the rest publishes); `nil` when it can.
    func refusal(of ca: CertificateFacts) -> String?
    func publish(_ outputs: Outputs) throws -> PublishReport
    /// `sync.on_ca_change` ran successfully (or there is none): the CA change it waited for is
    /// no longer pending.
    func acknowledgeCAChange() throws
    /// Replaces `status.json` after publishing, when the pass has more to report (the
    /// sessions it disconnected, design.md "Revocation and disconnect").
    func rewriteStatus(_ status: StatusDocument) throws
}

/// Everything one pass publishes.
public struct Outputs: Sendable {
    public var cas: [CertificateFacts]
    public var trustMap: [TrustMapEntry]
    public var status: StatusDocument
    public var generated: Int64

    public init(cas: [CertificateFacts], trustMap: [TrustMapEntry], status: StatusDocument, generated: Int64) {
        self.cas = cas
        self.trustMap = trustMap
        self.status = status
        self.generated = generated
    }
}

public struct PublishReport: Equatable, Sendable {
    /// Files (relative to output.dir) that were rewritten.
    public var written: [String]

    /// Unix time of a `ca.pem` change still waiting for `sync.on_ca_change` (this pass's or an
    /// earlier one whose hook failed or was interrupted); `nil` when none is pending.
    public var caChangePendingSince: Int64?

    public init(written: [String], caChangePendingSince: Int64? = nil) {
        self.written = written
        self.caChangePendingSince = caChangePendingSince
    }

    public var caChanged: Bool { written.contains(Config.OutputFile.caPEM) }
}

/// Publishes into `output.dir`: `ca.pem`, `ca.d/`, `trustmap`, `status.json`, each replaced
/// atomically and only when its content changed (design.md "Outputs").
public struct FileStore: OutputStore {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func previousRecords(now: Int64, clockSkew: Duration) -> StatusDocument.ReadBack {
        StatusDocument.readRecords(path(Config.OutputFile.status), now: now, clockSkew: clockSkew)
    }

    public func previousCAs() -> [String: CertificateFacts] {
        guard let data = FileManager.default.contents(atPath: path(Config.OutputFile.caPEM)),
            let ders = try? PEM.certificates(in: Array(data))
        else { return [:] }
        var out: [String: CertificateFacts] = [:]
        for der in ders {
            if let facts = try? CertificateFacts(der: der) { out[facts.sha256Hex] = facts }
        }
        return out
    }

    public func publish(_ outputs: Outputs) throws -> PublishReport {
        try Directory.create(directory)
        AtomicFile.removeLeftovers(in: directory)
        var written: [String] = []
        // ca.d first, then ca.pem, then the trust map: a reader that sees a new trust map
        // entry finds its CA already published. Before any CA file changes, the pending
        // marker: a process that dies between the rename of ca.pem and on_ca_change leaves it,
        // and the next pass runs the hook again.
        let cas = Dictionary(outputs.cas.map { ($0.sha256Hex, $0) }, uniquingKeysWith: { a, _ in a })
            .values.sorted { $0.sha256Hex < $1.sha256Hex }
        if try CADirectory.publish(cas, in: path(Config.OutputFile.caDirectory)) {
            written.append(Config.OutputFile.caDirectory)
        }
        let pem = Array(cas.map(\.pemBlock).joined().utf8)
        var pendingSince = readPendingMarker()
        var status = outputs.status
        status.onCAChangePendingSince = pendingSince
        if pendingSince == nil && !AtomicFile.contentEquals(path(Config.OutputFile.caPEM), pem[...]) {
            try AtomicFile.write(
                Array("\(outputs.generated)\n".utf8), to: path(Config.OutputFile.caChangePending), mode: 0o600)
            pendingSince = outputs.generated
        }
        if try AtomicFile.write(pem, to: path(Config.OutputFile.caPEM)) {
            written.append(Config.OutputFile.caPEM)
        }
        if try writeTrustMap(outputs) { written.append(Config.OutputFile.trustMap) }
        // status.json records the pass time, so it changes every pass: stream it.
        try rewriteStatus(status)
        written.append(Config.OutputFile.status)
        // The pass is complete: mark the trust map fresh, changed or not (verify.max_age).
        try AtomicFile.touch(path(Config.OutputFile.trustMap))
        return PublishReport(written: written, caChangePendingSince: pendingSince)
    }

    public func rewriteStatus(_ status: StatusDocument) throws {
        try AtomicFile.stream(to: path(Config.OutputFile.status)) { emit in try status.encode(emit) }
    }

    /// A `ca.d/` link needs OpenSSL's subject hash of the CA.
    public func refusal(of ca: CertificateFacts) -> String? {
        do {
            _ = try CertificateBinding.subjectHash(der: ca.binding.der)
            return nil
        } catch {
            return "OpenSSL cannot hash its subject for ca.d/ (\(error))"
        }
    }

    public func acknowledgeCAChange() throws {
        let marker = path(Config.OutputFile.caChangePending)
        guard unlink(marker) == 0 || errno == ENOENT else {
            throw AtomicFile.Failure(path: marker, operation: "remove", errno: errno)
        }
        try AtomicFile.syncDirectory(of: marker)
    }

    /// The time in the pending marker; a marker that cannot be read still counts as pending.
    private func readPendingMarker() -> Int64? {
        guard let data = FileManager.default.contents(atPath: path(Config.OutputFile.caChangePending)) else {
            return nil
        }
        return Int64(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// The header carries the generation time, so compare the rest: an unchanged map is left
    /// alone (its mtime and inode stay) and keeps its original `generated`. Streamed: the map
    /// is written to the temporary file and compared with the old one as it is rendered,
    /// never held whole in memory.
    private func writeTrustMap(_ outputs: Outputs) throws -> Bool {
        var header: TrustMapFormat.Header?
        return try AtomicFile.stream(
            to: path(Config.OutputFile.trustMap),
            unlessEqualAfter: { existing in
                guard let header, let old = try? TrustMapFormat.Header(parsing: existing) else { return false }
                return old.describesSameBody(as: header)
            }
        ) { emit in
            try TrustMapWriter.write(outputs.trustMap, generated: outputs.generated) { piece in
                if header == nil, let newline = piece.firstIndex(of: 0x0a) {
                    header = try? TrustMapFormat.Header(parsing: piece[..<newline])
                }
                try emit(piece)
            }
        }
    }

    private func path(_ name: String) -> String { directory + "/" + name }
}

extension CertificateFacts {
    /// The PEM block ending in a line break. swift-certificates' `pemString` stops right after
    /// `-----END CERTIFICATE-----`; joined as they are, blocks run into one line that OpenSSL
    /// (FreeRADIUS `ca_file`, and the next pass reading `ca.pem` back) rejects as a bad end line.
    var pemBlock: String { pem.hasSuffix("\n") ? pem : pem + "\n" }
}
