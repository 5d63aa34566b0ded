import CMicroHTTPDShim
import DANECore
import Foundation

/// `metrics.listen`: `GET /metrics` served by libmicrohttpd on its own thread, rendered from
/// ``AgentMetrics`` at each scrape (docs/architecture.md says why libmicrohttpd). Bound before
/// the service starts, so a taken port or an address this host does not have is a start-up
/// error (exit 2), not a silent absence.
public final class MetricsServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let server: OpaquePointer
    /// Retained for the server's life: libmicrohttpd's thread renders through it.
    private let context: Unmanaged<AgentMetrics>

    public init(listen address: ListenAddress, metrics: AgentMetrics) throws(Failure) {
        context = Unmanaged.passRetained(metrics)
        var error = [CChar](repeating: 0, count: 256)
        let render: dsync_mhd_render = { context, length in
            guard let context, let length else { return nil }
            let bytes = Unmanaged<AgentMetrics>.fromOpaque(context).takeUnretainedValue().exposition()
            guard let buffer = malloc(max(bytes.count, 1)) else { return nil }
            bytes.withUnsafeBytes {
                if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: $0.count) }
            }
            length.pointee = bytes.count
            return buffer.assumingMemoryBound(to: CChar.self)
        }
        guard
            let server = dsync_mhd_start(
                address.host, address.port, render, context.toOpaque(), &error, error.count)
        else {
            context.release()
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Failure(description: "metrics.listen \(address): \(reason)")
        }
        self.server = server
    }

    deinit {
        dsync_mhd_stop(server)
        context.release()
    }
}
