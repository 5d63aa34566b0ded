import DANECore
import DANEPublish
import DANESync
import DANETestSupport
import Foundation
import Testing

/// Rows of docs/fault-matrix.md that a pass over the doubles proves: the authoritative server
/// stopping mid-pass, and damaged outputs (trust map, status.json) read by the next pass.
struct FaultMatrixPassTests {
    static let names = (1...6).map { try! DeviceName("sensor\($0)._device.example.com") }

    /// The server answers the first lookups of the pass, then nothing: the names it answered
    /// are certified as usual, the others stay published as `stale` within grace and leave
    /// after it. Nothing is lost, nothing new is trusted.
    @Test func test_authoritativeServerStoppedMidPass_answeredNamesOK_othersStaleThenGone() async throws {
        let world = try PassFixture(names: Self.names.map(\.text))
        let devices = try Self.names.map { try world.publishDevice($0) }
        #expect(try await world.pass().exitCode == 0)

        world.clock.advance(by: .seconds(600))
        world.resolver.stop(afterLookups: 3)
        let interrupted = try await world.pass()
        #expect(interrupted.exitCode == 1)
        let states = Self.names.map { world.state($0, in: interrupted) }
        #expect(states.filter { $0 == .ok }.count == 3, "\(states)")
        #expect(states.filter { $0 == .stale }.count == 3, "\(states)")
        for (name, device) in zip(Self.names, devices) {
            #expect(try world.published(name) == [device.sha256Hex], "\(name)")
        }

        // Still down past sync.grace: every name is an error and the trust map empties.
        world.clock.advance(by: .seconds(3601))
        world.resolver.stop(afterLookups: 0)
        let down = try await world.pass()
        #expect(Self.names.allSatisfy { world.state($0, in: down) == .error })
        #expect(try Self.names.allSatisfy { try world.published($0) == nil })
        #expect(world.publishesOnlyThePlaceholderCA)
    }

    /// A first pass interrupted the same way publishes exactly the names it could certify.
    @Test func test_authoritativeServerStoppedMidFirstPass_publishesOnlyTheAnsweredNames() async throws {
        let world = try PassFixture(names: Self.names.map(\.text))
        for name in Self.names { try world.publishDevice(name) }
        world.resolver.stop(afterLookups: 2)
        let summary = try await world.pass()
        let ok = Self.names.filter { world.state($0, in: summary) == .ok }
        #expect(ok.count == 2)
        #expect(Self.names.filter { world.state($0, in: summary) == .error }.count == 4)
        #expect(try Self.names.filter { try world.published($0) != nil } == ok)
    }

    /// The agent owns its outputs: a trust map deleted, cut short or with a flipped byte is
    /// written whole again by the next pass (daneverify rejects it with 10 meanwhile).
    @Test(arguments: ["deleted", "truncated", "flipped byte"])
    func test_damagedTrustMap_isWrittenWholeByTheNextPass(_ damage: String) async throws {
        let world = try PassFixture(names: Self.names.map(\.text))
        for name in Self.names { try world.publishDevice(name) }
        let directory = try Scratch.created("danesync-trustmap-\(damage.replacingOccurrences(of: " ", with: "-"))")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = FileStore(directory: directory)
        let path = directory + "/" + Config.OutputFile.trustMap
        _ = try await world.pass(into: store)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        switch damage {
        case "deleted": try FileManager.default.removeItem(atPath: path)
        case "truncated": try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: path))
        default:
            var bytes = good
            bytes[bytes.count - 20] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        let repaired = try await world.pass(into: store)
        #expect(repaired.report.written.contains(Config.OutputFile.trustMap), "\(repaired.report.written)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == good)
    }

    /// `status.json` is what grace trusts. Unreadable, it vouches for nobody: a name the DNS
    /// does not answer for is an error, not stale. Cut short, only its complete lines count.
    @Test func test_corruptStatusJSON_givesNoGrace_andACutOneKeepsOnlyItsWholeLines() async throws {
        let pair = Array(Self.names.prefix(2))
        for damage in ["not json", "cut in the second name's line"] {
            let world = try PassFixture(names: pair.map(\.text))
            for name in pair { try world.publishDevice(name) }
            let directory = try Scratch.created("danesync-status")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let store = FileStore(directory: directory)
            let path = directory + "/" + Config.OutputFile.status
            _ = try await world.pass(into: store)

            let text = try String(contentsOfFile: path, encoding: .utf8)
            if damage == "not json" {
                try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
            } else {
                let line = try #require(text.range(of: "\"\(pair[1].text)\""))
                try String(text[..<line.upperBound]).write(toFile: path, atomically: true, encoding: .utf8)
            }
            world.clock.advance(by: .seconds(60))
            for name in pair { world.resolver.answer(name, with: .timedOut) }
            let summary = try await world.pass(into: store)
            let expected: [NameRecord.State] = damage == "not json" ? [.error, .error] : [.stale, .error]
            #expect(pair.map { world.state($0, in: summary) } == expected, "\(damage)")
        }
    }

}
