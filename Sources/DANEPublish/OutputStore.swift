import DANECertify
import DANECore
import Foundation

/// Where a pass's results go. One real implementation (``FileStore``); fakes live in Tests/.
public protocol OutputStore: Sendable {
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
    public var caChanged: Bool { written.contains(Config.OutputFile.caPEM) }
}

/// Publishes into `output.dir`: `ca.pem`, `ca.d/`, `trustmap`, `status.json`, each replaced
/// atomically and only when its content changed (design.md "Outputs").
public struct FileStore: OutputStore {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
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
        guard let newline = rendered.firstIndex(of: 0x0a) else { return try AtomicFile.write(rendered, to: target) }
        func withoutTime(_ header: ArraySlice<UInt8>) -> [Substring] {
            String(decoding: header, as: UTF8.self).split(separator: " ").filter { !$0.hasPrefix("generated=") }
        }
        let unchanged = AtomicFile.contentEquals(target, rendered[(newline + 1)...]) { existingHeader in
            withoutTime(existingHeader) == withoutTime(rendered[..<newline])
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
