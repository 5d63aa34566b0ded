// ResolveBench: cold-cache TLSA lookup throughput of UnboundResolver.
//
//   ResolveBench TRUST_ANCHOR_FILE FORWARDER NAMES_FILE CONCURRENCY
//
// Resolves every name in NAMES_FILE (one per line) with a fresh UnboundResolver, at most
// CONCURRENCY lookups in flight, and prints one line:
//   names=N secure=S seconds=T names_per_second=R peak_rss_kb=K
// scripts/bench-resolve runs it against the lab's bench.example.com zone.
import DANECore

import DANEResolvePool

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    let line = "ResolveBench: \(message)\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(2)
}

func readNames(_ path: String) -> [DeviceName] {
    guard let file = fopen(path, "r") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var names: [DeviceName] = []
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0, let line {
        let text = String(cString: line).filter { !$0.isWhitespace }
        guard !text.isEmpty else { continue }
        do { names.append(try DeviceName(text)) } catch { fail("\(path): \(error)") }
    }
    return names
}

/// `value` with three decimals, without Foundation's formatting.
func decimal(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let concurrency = Int(arguments[4]), concurrency > 0 else {
    fail("usage: ResolveBench TRUST_ANCHOR_FILE FORWARDER NAMES_FILE CONCURRENCY")
}
let names = readNames(arguments[3])

var dns: Config.DNS
do { dns = try ConfigParser.parse("policy:\n  file: /dev/null\n").dns } catch { fail("\(error)") }
dns.trustAnchorFile = arguments[1]
dns.forwarders = [arguments[2]]

let resolver: UnboundResolver
do { resolver = try UnboundResolver(dns: dns, maxInFlight: concurrency) } catch { fail(error.description) }

let clock = ContinuousClock()
let start = clock.now
let (secure, firstProblem) = await withTaskGroup(of: TLSAAnswer.self) { group in
    var secure = 0
    var firstProblem: String?
    var next = names.makeIterator()
    func tally(_ answer: TLSAAnswer) {
        if case .response(let response) = answer.result, response.security == .secure, !response.records.isEmpty {
            secure += 1
        } else if firstProblem == nil {
            firstProblem = "\(answer.name): \(answer.result)"
        }
    }
    for _ in 0..<concurrency {
        guard let name = next.next() else { break }
        group.addTask { await resolver.lookupTLSA(name) }
    }
    while let answer = await group.next() {
        tally(answer)
        if let name = next.next() { group.addTask { await resolver.lookupTLSA(name) } }
    }
    return (secure, firstProblem)
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

var usage = rusage()
#if canImport(Glibc)
getrusage(RUSAGE_SELF.rawValue, &usage)  // ru_maxrss in KiB on Linux
#else
getrusage(RUSAGE_SELF, &usage)
#endif
if let firstProblem {
    _ = "first non-secure answer: \(firstProblem)\n".utf8CString.withUnsafeBufferPointer {
        write(2, $0.baseAddress, $0.count - 1)
    }
}
print(
    "names=\(names.count) secure=\(secure) seconds=\(decimal(seconds)) names_per_second=\(decimal(Double(names.count) / seconds)) peak_rss_kb=\(usage.ru_maxrss)"
)
