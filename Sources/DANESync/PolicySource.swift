import DANECore
import DANEDiscover
import Foundation

/// Where the policy comes from (design.md "Policy"): a file, re-read every pass, or an
/// HTTPS URL polled with `If-None-Match`. On failure the last good policy stays in force and
/// the failure is reported with it.
public actor PolicySource {
    public struct Reading: Sendable {
        /// The policy in force, or `nil` when none was ever read.
        public var policy: Policy?
        public var source: String
        /// Why this pass could not read a fresh policy.
        public var error: String?
    }

    /// A URL policy may hold many names; bound it all the same.
    public static let maxPolicyBytes = 16 << 20

    private let location: Config.PolicySource
    private let discovery: Config.Discovery
    private let fetcher: any HTTPFetcher
    private var lastGood: Policy?
    /// The policy file's text that `lastGood` was parsed from: an unchanged file (every pass of
    /// `run`, most of the time) is not parsed again.
    private var lastGoodText: String?
    private var etag: String?

    public init(_ location: Config.PolicySource, discovery: Config.Discovery, fetcher: any HTTPFetcher) {
        self.location = location
        self.discovery = discovery
        self.fetcher = fetcher
    }

    public func read() async -> Reading {
        switch location.location {
        case .file(let path):
            do {
                let text = try Loaded.read(path, what: "policy")
                if let lastGood, text == lastGoodText { return Reading(policy: lastGood, source: path, error: nil) }
                let policy = try Loaded.policy(text: text, source: path)
                (lastGood, lastGoodText) = (policy, text)
                return Reading(policy: policy, source: path, error: nil)
            } catch {
                return Reading(policy: lastGood, source: path, error: error.lines.joined(separator: "; "))
            }
        case .url(let url):
            var headers = location.urlHeaders
            headers["Accept"] = headers["Accept"] ?? "application/json, application/yaml, text/plain"
            let request = HTTPRequest(
                url: url, headers: headers, ifNoneMatch: lastGood == nil ? nil : etag,
                maxBytes: Self.maxPolicyBytes, timeout: discovery.timeout,
                caFile: location.tlsCAFile, connectTo: discovery.connectTo)
            switch await fetcher.get(request) {
            case .notModified:
                return Reading(policy: lastGood, source: url, error: nil)
            case .ok(let body, let newTag):
                do {
                    let policy = try Loaded.policy(text: String(decoding: body, as: UTF8.self), source: url)
                    lastGood = policy
                    etag = newTag
                    return Reading(policy: policy, source: url, error: nil)
                } catch {
                    return Reading(policy: lastGood, source: url, error: error.lines.joined(separator: "; "))
                }
            case .failure(.tooLarge(let limit)):
                return Reading(
                    policy: lastGood, source: url,
                    error: "policy \(url): body larger than \(limit) bytes (the limit for a policy URL)")
            case .failure(let failure):
                return Reading(policy: lastGood, source: url, error: "policy \(url): \(failure)")
            }
        }
    }
}
