import DANESystem
import Foundation
import Testing

/// daneverify exits only once FreeRADIUS has read its line (docs/freeradius-rad-fork-race.md).
struct PipeDrainTests {
    @Test func test_wait_returnsOnceTheReaderHasReadEverything() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let written = Array("accept x corp-iot 00\n".utf8)
        #expect(write(ends[1], written, written.count) == written.count)
        let clock = ContinuousClock()
        let start = clock.now
        let readEnd = ends[0]
        let reader = Thread {
            usleep(300_000)
            var buffer = [UInt8](repeating: 0, count: 64)
            _ = read(readEnd, &buffer, buffer.count)
        }
        reader.start()
        PipeDrain.wait(ends[1], limit: .seconds(5))
        let waited = clock.now - start
        close(ends[1])
        #expect(waited >= .milliseconds(250) && waited < .seconds(4), "\(waited)")
    }

    @Test func test_wait_givesUpAtTheLimit_andIgnoresWhatIsNotAPipe() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        #expect(write(ends[1], "x", 1) == 1)
        let clock = ContinuousClock()
        var start = clock.now
        PipeDrain.wait(ends[1], limit: .milliseconds(200))
        #expect(clock.now - start >= .milliseconds(190))

        let null = open("/dev/null", O_WRONLY)
        defer { close(null) }
        start = clock.now
        PipeDrain.wait(null, limit: .seconds(5))
        #expect(clock.now - start < .milliseconds(100))
    }
}
