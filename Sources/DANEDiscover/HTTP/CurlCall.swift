import CCurlShim

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `dsync_http_get`, with everything it needs copied into values that can cross to the
/// transfer's thread.
struct CurlCall: Sendable {
    /// Header and `--connect-to` lines in libcurl's text forms.
    struct Lines: Sendable {
        var headers: [String]
        var connectTo: [String]

        /// Refuses CR/LF in header names and values and in connect-to entries: libcurl would
        /// send them as-is, splitting one header into two (RFC 9110 §5.5).
        static func make(_ request: HTTPRequest) -> Result<Lines, HTTPFailure> {
            var headers: [String] = []
            var fields = request.headers.sorted { $0.key < $1.key }
            if let etag = request.ifNoneMatch { fields.append((key: "If-None-Match", value: etag)) }
            for (name, value) in fields {
                guard !name.isEmpty, !name.contains(where: { $0 == ":" || $0.isWhitespace }) else {
                    return .failure(.invalidRequest("header name \"\(name)\" is empty or has \":\" or white space"))
                }
                guard !value.contains(where: \.isNewline) else {
                    return .failure(.invalidRequest("header \(name) has a line break in its value"))
                }
                headers.append("\(name): \(value)")
            }
            var connectTo: [String] = []
            for (from, to) in request.connectTo.sorted(by: { $0.key < $1.key }) {
                guard !from.contains(where: \.isNewline), !to.contains(where: \.isNewline) else {
                    return .failure(.invalidRequest("connect_to entry \"\(from)\" has a line break"))
                }
                // curl --connect-to form: HOST:PORT:CONNECT-HOST:CONNECT-PORT.
                connectTo.append("\(from):\(to)")
            }
            return .success(Lines(headers: headers, connectTo: connectTo))
        }
    }

    enum Outcome: Sendable {
        case answered(status: Int, body: [UInt8], etag: String?, location: String?)
        case tooLarge
        case failed(String)
    }

    let url: String
    let lines: Lines
    let caFile: String?
    let timeoutMilliseconds: Int
    let maxBytes: Int

    /// Blocks for the whole transfer: call only from a dedicated thread.
    func perform() -> Outcome {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func cString(_ text: String) -> UnsafePointer<CChar> {
            let copy = strdup(text)!
            owned.append(copy)
            return UnsafePointer(copy)
        }
        let headers: [UnsafePointer<CChar>?] = lines.headers.map(cString)
        let connectTo: [UnsafePointer<CChar>?] = lines.connectTo.map(cString)
        let url = cString(self.url)
        let caFile = self.caFile.map(cString)

        var response = dsync_http_response()
        let rc = headers.withUnsafeBufferPointer { headers in
            connectTo.withUnsafeBufferPointer { connectTo in
                var request = dsync_http_request(
                    url: url, ca_file: caFile,
                    connect_to: connectTo.baseAddress, connect_to_count: connectTo.count,
                    headers: headers.baseAddress, header_count: headers.count,
                    timeout_ms: max(1, timeoutMilliseconds), max_bytes: maxBytes)
                return dsync_http_get(&request, &response)
            }
        }
        defer { dsync_http_free(&response) }

        if response.too_large != 0 { return .tooLarge }
        guard rc == 0 else {
            let message = withUnsafeBytes(of: &response.error) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            return .failed(message.isEmpty ? "libcurl failed without a message" : message)
        }
        let body = response.body.map { Array(UnsafeRawBufferPointer(start: $0, count: response.body_len)) } ?? []
        return .answered(
            status: response.status, body: body,
            etag: response.etag.map { String(cString: $0) },
            location: response.location.map { String(cString: $0) })
    }
}
