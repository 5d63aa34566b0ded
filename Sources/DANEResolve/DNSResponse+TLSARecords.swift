import DANECore

/// RFC 6698 §7.1: the TLSA resource record type.
package let tlsaRRType: Int32 = 52
/// RFC 1035 §3.2.4: class IN.
package let internetClass: Int32 = 1

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
