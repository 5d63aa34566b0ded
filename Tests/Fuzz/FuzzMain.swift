#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parsers that read what danesync and daneverify are handed from outside, one libFuzzer
/// target each. One binary holds them all, chosen by `FUZZ_TARGET`, so the instrumented
/// DANECore is compiled once (scripts/fuzz builds it; Tests/Fuzz/README.md explains a run).
enum FuzzTarget: String, CaseIterable {
    case tlsa
    case pem
    case der
    case trustmap
    case policy
    case config
    case calledStationId = "called-station-id"
    case deviceName = "device-name"
    case dnsAnswer = "dns-answer"

    func run(_ input: UnsafeRawBufferPointer) {
        switch self {
        case .tlsa: TLSARecordFuzz.run(Array(input))
        case .pem: PEMFuzz.run(Array(input))
        case .der: CertificateDERFuzz.run(Array(input))
        // The trust map is read in place, as daneverify reads its memory map: libFuzzer's copy
        // of the input is exactly its size, so AddressSanitizer sees a read past the end.
        case .trustmap: TrustMapFuzz.run(input)
        case .policy: PolicyFuzz.run(String(decoding: input, as: UTF8.self))
        case .config: ConfigFuzz.run(String(decoding: input, as: UTF8.self))
        case .calledStationId: CalledStationIdFuzz.run(String(decoding: input, as: UTF8.self))
        case .deviceName: DeviceNameFuzz.run(String(decoding: input, as: UTF8.self))
        case .dnsAnswer: DNSAnswerFuzz.run(Array(input))
        }
    }
}

private let selected = getenv("FUZZ_TARGET").flatMap { FuzzTarget(rawValue: String(cString: $0)) }

/// Refuses to start without a known target: libFuzzer would otherwise report the first input
/// as a crash.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    guard selected == nil else { return 0 }
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
    let message = "FUZZ_TARGET must be one of: \(names)\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected?.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
