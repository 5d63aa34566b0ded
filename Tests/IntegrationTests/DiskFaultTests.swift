import DANECore
import DANETestSupport
import Foundation
import Testing

/// design.md "Admission and failure rules": disk full or a read-only `output.dir` at publish —
/// the previous outputs stay whole and readable, `once` reports the error (exit 2), no
/// temporary file remains, and the next pass, once there is room, publishes. The output
/// directory is a small tmpfs of the test's own (mounted here; the tests run as root, as CI does).
@Suite(.serialized)
struct DiskFaultTests {
    /// A tmpfs of `size` mounted at `path` for the body's duration.
    static func withTmpfs<T>(at path: String, size: String, _ body: () async throws -> T) async throws -> T {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = try Command.run("mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
        guard mount.status == 0 else { throw Command.Failure("mount tmpfs at \(path): \(mount.stderr)") }
        defer { _ = try? Command.run("umount", ["-l", path]) }
        return try await body()
    }

    static func temporaryFiles(in directory: String) -> [String] {
        let names = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        return names.filter { $0.contains(".tmp.") }
    }

    /// A workspace whose `output.dir` is a small tmpfs holding one published pass (sensor1);
    /// the body gets the workspace and that pass's outputs.
    static func withPublishedTmpfs(
        _ label: String, _ body: (AgentWorkspace, [String: Data]) async throws -> Void
    ) async throws {
        let workspace = try AgentWorkspace(label)
        defer { workspace.remove() }
        try await withTmpfs(at: workspace.output, size: "512k") {
            try workspace.writePolicy(["corp-iot": [LabNames.sensor1]])
            try workspace.writeConfig()
            #expect(try workspace.runOnce().status == 0)
            try await body(workspace, try workspace.published.snapshot())
        }
    }

    @Test func test_diskFull_keepsThePreviousOutputsWhole_exits2_andTheNextPassRetries() async throws {
        try await Self.withPublishedTmpfs("disk-full") { workspace, before in

            // Fill the file system, then ask for outputs that differ.
            let filler = workspace.output + "/filler"
            _ = try Command.run("dd", ["if=/dev/zero", "of=\(filler)", "bs=4k"])
            try workspace.writePolicy(["corp-iot": [LabNames.sensor1, LabNames.sensor2, LabNames.sensor3]])
            let full = try workspace.runOnce()
            #expect(full.status == 2, "\(full.stderr)")
            #expect(full.stderrLines.last?.contains("No space left on device") == true, "\(full.stderr)")
            #expect(try workspace.published.snapshot() == before, "the previous outputs stay whole")
            #expect(Self.temporaryFiles(in: workspace.output).isEmpty)

            try FileManager.default.removeItem(atPath: filler)
            #expect(try workspace.runOnce().status == 0, "the next pass publishes")
            #expect(try workspace.published.trustMap().count == 3)
        }
    }

    @Test func test_readOnlyOutputDirectory_keepsThePreviousOutputs_exits2_andTheNextPassRetries() async throws {
        try await Self.withPublishedTmpfs("read-only") { workspace, before in

            #expect(try Command.run("mount", ["-o", "remount,ro", workspace.output]).status == 0)
            try workspace.writePolicy(["corp-iot": [LabNames.sensor1, LabNames.sensor2]])
            let refused = try workspace.runOnce()
            #expect(refused.status == 2, "\(refused.stderr)")
            #expect(refused.stderrLines.last?.contains("Read-only file system") == true, "\(refused.stderr)")
            #expect(try workspace.published.snapshot() == before)

            #expect(try Command.run("mount", ["-o", "remount,rw", workspace.output]).status == 0)
            #expect(try workspace.runOnce().status == 0)
            #expect(try workspace.published.trustMap().count == 2)
            #expect(Self.temporaryFiles(in: workspace.output).isEmpty)
        }
    }
}
