import Foundation
import Testing

/// The lab's test PKI (scripts/lab/pki.sh), generated once per test process into a temporary
/// directory: no keys or certificates are committed.
public enum TestPKI {
    /// OUTDIR of pki.sh: `ca/root.pem`, `ca/int.pem`, `devices/<name>.pem`, `rogue/<name>.pem`, …
    public static let directory: URL = {
        let dir = Scratch.directory("danesync-pki")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let result = try? Command.run(Repository.path("scripts/lab/pki.sh"), [dir.path])
        precondition(result?.status == 0, "scripts/lab/pki.sh failed: \(result?.stderr ?? "did not run")")
        atexit { try? FileManager.default.removeItem(at: TestPKI.directory) }
        return dir
    }()

    public static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    /// The PEM text of a generated file.
    public static func pem(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relative)))
    }

    /// `openssl ARGS` with `input` on stdin; records an issue if it fails.
    @discardableResult
    public static func openssl(
        _ arguments: [String], input: [UInt8]? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Command.Output {
        let output: Command.Output
        do {
            output = try Command.run("openssl", arguments, input: input)
        } catch {
            Issue.record("openssl \(arguments.joined(separator: " ")): \(error)", sourceLocation: sourceLocation)
            return Command.Output(status: -1, stdout: [], stderr: "\(error)", shown: "openssl")
        }
        if output.status != 0 {
            Issue.record(
                "openssl \(arguments.joined(separator: " ")) failed: \(output.stderr)", sourceLocation: sourceLocation)
        }
        return output
    }

    /// The DER of a PEM certificate file, as openssl writes it.
    public static func der(_ relative: String) -> [UInt8] {
        openssl(["x509", "-in", path(relative), "-outform", "DER"]).stdout
    }

    /// SubjectPublicKeyInfo DER: `openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER`.
    public static func spki(_ relative: String) -> [UInt8] {
        let pub = openssl(["x509", "-in", path(relative), "-pubkey", "-noout"]).stdout
        return openssl(["pkey", "-pubin", "-outform", "DER"], input: pub).stdout
    }

    /// `openssl dgst -<algorithm>` of bytes, as raw bytes.
    public static func digest(_ algorithm: String, _ bytes: [UInt8]) -> [UInt8] {
        openssl(["dgst", "-\(algorithm)", "-binary"], input: bytes).stdout
    }

    /// `scripts/lab/aki.sh [--ski] CERT`: the key identifier as `3f-a1-…`.
    public static func keyIdentifier(_ relative: String, subject: Bool = false) -> String {
        let output = try? Command.run(
            Repository.path("scripts/lab/aki.sh"), (subject ? ["--ski"] : []) + [path(relative)])
        return output?.text ?? ""
    }

    /// A fresh directory for certificates a test makes itself.
    public static func scratch() -> URL {
        let dir = directory.appendingPathComponent("scratch-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
