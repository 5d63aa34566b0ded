import DANECore
import DANEPublish
import DANETestSupport
import Foundation
import Testing

/// design.md "Outputs": each file is replaced atomically (temp file in the same directory, fsync,
/// rename), so a reader — FreeRADIUS, daneverify — sees the old or the new complete file, even
/// when the agent is killed in the middle of publishing.
@Suite(.serialized)
struct AtomicPublishTests {
    @Test func test_passesKilledAtRandom_leaveEveryOutputOldOrNew_andComplete() throws {
        let work = Scratch.directory("kill-test")
        let agent = try Repository.binary("danesync")
        let result = try Command.run(Repository.path("scripts/kill-test"), [Lab.directory.path, agent, work.path])
        #expect(
            result.status == 0,
            "scripts/kill-test failed (its work is kept in \(work.path)):\n\(result.stdoutText)\(result.stderr)")
        defer { if result.status == 0 { try? FileManager.default.removeItem(at: work) } }
        let summary =
            result.stdoutText.split(separator: "\n").last { $0.hasPrefix("kill-test:") }.map(String.init) ?? ""
        #expect(summary.contains("broken=0"), "\(summary)")
        print(summary)

        // The two versions every killed pass was compared against are themselves sound.
        for version in ["A", "B"] {
            let published = PublishedOutputs(directory: work.appendingPathComponent(version).path)
            #expect(try !published.trustMap().isEmpty)
            #expect(try published.caPEMCountByOpenSSL() == published.caPEMFingerprints().count)
            #expect(try published.status().names.count > 0)
        }
        // And the outputs the killed passes shared are whole again after the last, clean pass.
        let out = PublishedOutputs(directory: work.appendingPathComponent("out").path)
        #expect(
            try out.trustMap().map(TrustMapLine.init)
                == PublishedOutputs(directory: work.appendingPathComponent("A").path).trustMap().map(TrustMapLine.init))
        try out.checkCADirectoryLikeRehash(expecting: try LabPKI.fingerprints(["int", "root", "org2-root"]))
    }

    @Test func test_aReader_seesOnlyTheOldOrTheNewContent_whileAWriterReplacesTheFile() async throws {
        let dir = Scratch.directory("atomic")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ca.pem").path
        // Two contents of different lengths: a torn read would be a prefix or a mix.
        let versions = [[UInt8](repeating: 0x41, count: 300_000), [UInt8](repeating: 0x42, count: 200_000)]
        try AtomicFile.write(versions[0], to: path)

        let progress = ReadProgress()
        let reader = Task.detached { () -> (reads: Int, torn: Int) in
            var reads = 0
            var torn = 0
            while !Task.isCancelled {
                guard let data = FileManager.default.contents(atPath: path) else {
                    torn += 1  // the name must never be missing, not even for a moment
                    continue
                }
                reads += 1
                progress.count()
                if !versions.contains(where: { data.elementsEqual($0) }) { torn += 1 }
            }
            return (reads, torn)
        }
        // At least 200 replacements, and on until the reader has read 20 times: with the other
        // suites running in parallel on 2 cores the reader task may start late.
        var round = 0
        while round < 200 || (progress.reads < 20 && round < 100_000) {
            try AtomicFile.write(versions[(round + 1) % 2], to: path)
            round += 1
        }
        reader.cancel()
        let (reads, torn) = await reader.value
        #expect(reads > 0)
        #expect(torn == 0, "\(torn) of \(reads) reads saw a missing or partial file")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["ca.pem"], "no temp files stay behind: \(leftovers)")
    }

    @Test func test_writingTheSameContent_keepsTheFile() throws {
        let dir = Scratch.directory("atomic")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("trustmap").path
        #expect(try AtomicFile.write(Array("one\n".utf8), to: path))
        let before = try FileIdentity(path)
        #expect(try !AtomicFile.write(Array("one\n".utf8), to: path))
        #expect(try FileIdentity(path) == before)
        #expect(try AtomicFile.write(Array("two\n".utf8), to: path))
        #expect(try FileIdentity(path).inode != before.inode, "new content arrives by rename, as a new inode")
    }

    @Test func test_tempFilesOfAKilledWriter_areRemovedByTheNextPass() async throws {
        let workspace = try AgentWorkspace("leftovers")
        defer { workspace.remove() }
        try workspace.writePolicy(["*": [LabNames.cam7]])
        _ = try await workspace.pass()
        // What a writer killed between mkstemp and rename leaves: dot-named temp files.
        let strays = [".trustmap.tmp.Ab12Cd", ".ca.pem.tmp.Xy34Zw", "ca.d/.0123.pem.tmp.Qq56Rr"]
        for stray in strays {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: workspace.output + "/" + stray))
        }
        _ = try await workspace.pass()
        for stray in strays {
            #expect(!FileManager.default.fileExists(atPath: workspace.output + "/" + stray), "\(stray)")
        }
        try workspace.published.checkCADirectoryLikeRehash(expecting: try LabPKI.fingerprints(["org2-root"]))
    }
}

/// How many reads the reader task has made, for the writer to wait on.
private final class ReadProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0

    func count() { lock.withLock { done += 1 } }
    var reads: Int { lock.withLock { done } }
}
