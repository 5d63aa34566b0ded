import CUnbound
import DANECore

/// RFC 6698 §7.1: the TLSA resource record type.
package let tlsaRRType: Int32 = 52
/// RFC 1035 §3.2.4: class IN.
package let internetClass: Int32 = 1

extension DNSResponse {
    /// Reads libunbound's validated result.
    ///
    /// Security follows RFC 4035 §4.3: only `secure == 1` is secure (a tampered answer still
    /// carries `havedata` and the records, with `bogus == 1`); `bogus` keeps `why_bogus` for
    /// the operator; anything else is insecure. A proven non-existence is `secure` with rcode 3.
    init(unbound result: ub_result) {
        let security: DNSSECState =
            result.secure == 1 ? .secure : result.bogus == 1 ? .bogus : .insecure
        var rdata: [[UInt8]] = []
        // `data` itself may be NULL, not only `data[0]`.
        if result.havedata != 0, let data = result.data, let lengths = result.len {
            var index = 0
            while let item = data[index] {
                let count = Int(lengths[index])
                rdata.append(
                    item.withMemoryRebound(to: UInt8.self, capacity: count) {
                        Array(UnsafeBufferPointer(start: $0, count: count))
                    })
                index += 1
            }
        }
        let (records, malformed) = Self.tlsaRecords(rdata)
        let hasData = !records.isEmpty || !malformed.isEmpty
        self.init(
            rcode: DNSRcode(Int(result.rcode)),
            security: security,
            whyBogus: result.why_bogus.map { String(cString: $0) },
            records: records,
            malformed: malformed,
            ttl: hasData ? UInt32(clamping: result.ttl) : 0)
    }
}

extension DNSResponse {
    /// Each rdata as a TLSA record (RFC 6698 §2.1), or the reason it is not one.
    package static func tlsaRecords(_ rdata: [[UInt8]]) -> (records: [TLSARecord], malformed: [String]) {
        var records: [TLSARecord] = []
        var malformed: [String] = []
        for item in rdata {
            do {
                records.append(try TLSARecord(rdata: item))
            } catch {
                malformed.append(error.description)
            }
        }
        return (records, malformed)
    }
}

extension TLSAAnswer {
    /// The answer for one libunbound callback: `err` is libunbound's own failure (no result),
    /// otherwise the response. Frees `result`.
    init(name: DeviceName, unboundError err: Int32, result: UnsafeMutablePointer<ub_result>?) {
        defer { if let result { ub_resolve_free(result) } }
        guard err == 0, let result else {
            self.init(name: name, result: .failed(err == 0 ? "libunbound returned no result" : unboundErrorText(err)))
            return
        }
        self.init(name: name, result: .response(DNSResponse(unbound: result.pointee)))
    }
}
