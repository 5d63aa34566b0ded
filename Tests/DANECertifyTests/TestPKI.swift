import Foundation
import Testing

/// The lab's test PKI (scripts/lab/pki.sh), generated once per test process into a temporary
/// directory: no keys or certificates are committed.
enum TestPKI {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// OUTDIR of pki.sh: `ca/root.pem`, `ca/int.pem`, `devices/<name>.pem`, `rogue/<name>.pem`, …
    static let directory: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("danesync-pki-\(getpid())")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let result = run(repository.appendingPathComponent("scripts/lab/pki.sh").path, [dir.path])
        precondition(result.status == 0, "scripts/lab/pki.sh failed: \(result.stderr)")
        atexit { try? FileManager.default.removeItem(at: TestPKI.directory) }
        return dir
    }()

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    /// The PEM text of a generated file.
    static func pem(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relative)))
    }

    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Runs a program, feeding `input` on stdin; stdout is returned as bytes.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try! process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        // Read both pipes concurrently with the process so neither can fill up and block it.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `openssl ARGS` with `input` on stdin; records an issue if it fails.
    static func openssl(
        _ arguments: [String], input: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Output {
        let output = run("openssl", arguments, input: input)
        if output.status != 0 {
            Issue.record(
                "openssl \(arguments.joined(separator: " ")) failed: \(output.stderr)", sourceLocation: sourceLocation)
        }
        return output
    }

    /// The DER of a PEM certificate file, as openssl writes it.
    static func der(_ relative: String) -> [UInt8] {
        Array(openssl(["x509", "-in", path(relative), "-outform", "DER"]).stdout)
    }

    /// SubjectPublicKeyInfo DER: `openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER`.
    static func spki(_ relative: String) -> [UInt8] {
        let pub = openssl(["x509", "-in", path(relative), "-pubkey", "-noout"]).stdout
        return Array(openssl(["pkey", "-pubin", "-outform", "DER"], input: pub).stdout)
    }

    /// `openssl dgst -<algorithm>` of bytes, as raw bytes.
    static func digest(_ algorithm: String, _ bytes: [UInt8]) -> [UInt8] {
        Array(openssl(["dgst", "-\(algorithm)", "-binary"], input: Data(bytes)).stdout)
    }

    /// `scripts/lab/aki.sh [--ski] CERT`: the key identifier as `3f-a1-…`.
    static func keyIdentifier(_ relative: String, subject: Bool = false) -> String {
        let script = repository.appendingPathComponent("scripts/lab/aki.sh").path
        return run(script, (subject ? ["--ski"] : []) + [path(relative)]).text
    }

    /// A fresh directory for certificates a test makes itself.
    static func scratch() -> URL {
        let dir = directory.appendingPathComponent("scratch-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
