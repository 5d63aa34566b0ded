import DANESystem
import DANETestSupport
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

    /// FreeRADIUS reads the hook's output to end-of-file, then reaps it once before sleeping
    /// 100 ms: the hook must already have exited when its reader sees end-of-file
    /// (PipeDrain.closeAfterExit). Every run of the real binary is reaped at the first try.
    @Test func test_daneverifysReader_seesEndOfFile_onlyOnceItCanBeReaped() throws {
        let binary = try Repository.binary("daneverify")
        for _ in 0..<20 {
            var ends: [Int32] = [0, 0]
            #expect(pipe(&ends) == 0)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
            posix_spawn_file_actions_addclose(&actions, ends[0])
            posix_spawn_file_actions_addclose(&actions, ends[1])
            var pid = pid_t()
            // An unknown argument: a reject, by the path every verdict takes to exit.
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), strdup("--no-such-flag"), nil]
            defer { argv.forEach { free($0) } }
            #expect(posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0)
            posix_spawn_file_actions_destroy(&actions)
            close(ends[1])
            var output: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 256)
            while true {
                let n = read(ends[0], &chunk, chunk.count)
                if n <= 0 { break }
                output += chunk[0..<n]
            }
            close(ends[0])
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == 0 { _ = waitpid(pid, &status, 0) }
            #expect(reaped == pid, "not yet exited at end-of-file: FreeRADIUS would sleep 100 ms")
            #expect(String(decoding: output, as: UTF8.self).hasPrefix("reject 2 "))
        }
    }
}
