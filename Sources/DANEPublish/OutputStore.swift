import DANECertify
import DANECore
import DANEDigest
import Foundation

/// Where a pass's results go, and where the next pass finds what the last one published
/// (design.md "Outputs"). One real implementation (``FileStore``); the test double lives in
/// Tests/DANETestSupport.
public protocol OutputStore: Sendable {
    /// The records of the last pass by name, for `sync.grace` and `since`; empty when there
    /// was none or it cannot be read.
    func previousRecords() -> [DeviceName: NameRecord]
    /// The CAs published by the last pass, by SHA-256 fingerprint: a stale name keeps the
    /// CAs it relies on although this pass did not fetch them.
    func previousCAs() -> [String: CertificateFacts]
    func publish(_ outputs: Outputs) throws -> PublishReport
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

    public init(written: [String]) {
        self.written = written
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

    public func previousRecords() -> [DeviceName: NameRecord] {
        StatusDocument.readRecords(path(Config.OutputFile.status))
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
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        AtomicFile.removeLeftovers(in: directory)
        var written: [String] = []
        // ca.d first, then ca.pem, then the trust map: a reader that sees a new trust map
        // entry finds its CA already published.
        let cas = Dictionary(outputs.cas.map { ($0.sha256Hex, $0) }, uniquingKeysWith: { a, _ in a })
            .values.sorted { $0.sha256Hex < $1.sha256Hex }
        if try CADirectory.publish(cas, in: path(Config.OutputFile.caDirectory)) {
            written.append(Config.OutputFile.caDirectory)
        }
        let pem = cas.map(\.pemBlock).joined()
        if try AtomicFile.write(Array(pem.utf8), to: path(Config.OutputFile.caPEM)) {
            written.append(Config.OutputFile.caPEM)
        }
        if try writeTrustMap(outputs) { written.append(Config.OutputFile.trustMap) }
        // status.json records the pass time, so it changes every pass: stream it.
        try AtomicFile.stream(to: path(Config.OutputFile.status)) { emit in try outputs.status.encode(emit) }
        written.append(Config.OutputFile.status)
        return PublishReport(written: written)
    }

    /// The header carries the generation time, so compare the rest: an unchanged map is left
    /// alone (its mtime and inode stay) and keeps its original `generated`. Compared in chunks,
    /// not by loading the old map beside the new one.
    private func writeTrustMap(_ outputs: Outputs) throws -> Bool {
        let target = path(Config.OutputFile.trustMap)
        let rendered = TrustMapWriter.render(outputs.trustMap, generated: outputs.generated)
        guard let newline = rendered.firstIndex(of: 0x0a),
            let header = try? TrustMapFormat.Header(parsing: rendered[..<newline])
        else { return try AtomicFile.write(rendered, to: target) }
        let unchanged = AtomicFile.contentEquals(target, rendered[(newline + 1)...]) { existing in
            (try? TrustMapFormat.Header(parsing: existing))?.describesSameBody(as: header) ?? false
        }
        return unchanged ? false : try AtomicFile.write(rendered, to: target)
    }

    private func path(_ name: String) -> String { directory + "/" + name }
}

extension CertificateFacts {
    /// The PEM block ending in a line break. swift-certificates' `pemString` stops right after
    /// `-----END CERTIFICATE-----`; joined as they are, blocks run into one line that OpenSSL
    /// (FreeRADIUS `ca_file`, and the next pass reading `ca.pem` back) rejects as a bad end line.
    var pemBlock: String { pem.hasSuffix("\n") ? pem : pem + "\n" }
}
