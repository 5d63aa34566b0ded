import DANECore
import DANEPublish
import DANESystem
import Foundation
import Logging

/// The disconnect step of a pass (design.md "Revocation and disconnect"): after the outputs
/// are published, every session `daneverify` recorded is checked against the trust map just
/// published, and those of devices it no longer admits are disconnected through
/// `disconnect.command`, at most ``concurrency`` at once.
public struct SessionSweep: Sendable {
    public typealias Send =
        @Sendable (Config.Disconnect.NAS, SessionRecord) async -> (DisconnectDecision.Result, String)

    public var config: Config.Disconnect
    public var trustMapPath: String
    public var logger: Logger
    /// Sends one Disconnect-Request; ``DisconnectCommand`` unless a test gives another.
    public var send: Send

    public static let concurrency = 8
    /// The hook's temporary files (`.<name>.<pid>`) left by a hook that died: removed once
    /// this old.
    static let leftoverAge: Int64 = 60

    public init(config: Config.Disconnect, trustMapPath: String, logger: Logger, send: Send? = nil) {
        self.config = config
        self.trustMapPath = trustMapPath
        self.logger = logger
        let (command, timeout) = (config.command, config.timeout)
        self.send =
            send ?? { nas, session in
                await DisconnectCommand.run(command, nas: nas, session: session, timeout: timeout)
            }
    }

    /// A record file as read: its content and the identity it had, so that it is removed
    /// only if the hook has not replaced it since.
    struct RecordFile {
        var path: String
        var identity: FileIdentity
        var record: SessionRecord
    }

    /// What the sweep did, one entry per session acted on (empty when disconnect is off).
    public func run(now: Int64) async -> [StatusDocument.Disconnect] {
        guard let directory = config.sessionsDir else { return [] }
        let map: MappedFile
        let reader: TrustMapReader
        do {
            map = try MappedFile(path: trustMapPath)
            reader = try TrustMapReader(bytes: map.bytes)
        } catch {
            // Without the map nothing can be judged; the hook refuses every device meanwhile.
            logger.error("sessions not checked: cannot read the trust map", metadata: ["reason": "\(error)"])
            return []
        }
        var work: [(RecordFile, Config.Disconnect.NAS?)] = []
        for file in readRecords(in: directory, now: now) {
            let action: DisconnectDecision.Action
            do {
                action = DisconnectDecision.action(
                    for: file.record, now: now, maxAge: config.sessionMaxAge,
                    networkEntry: try reader.lookup(network: file.record.network, name: file.record.name),
                    anyEntry: try reader.lookup(network: TrustMapEntry.anyNetwork, name: file.record.name),
                    nas: config.nas)
            } catch {
                logger.error("sessions not checked: the trust map is corrupt", metadata: ["reason": "\(error)"])
                return []
            }
            switch action {
            case .keep: continue
            case .expire: remove(file.path, file.identity)
            case .disconnect(let nas): work.append((file, nas))
            case .unknownNAS: work.append((file, nil))
            }
        }
        withExtendedLifetime(map) {}
        return await disconnect(work)
    }

    private func disconnect(_ work: [(RecordFile, Config.Disconnect.NAS?)]) async -> [StatusDocument.Disconnect] {
        var done: [StatusDocument.Disconnect] = []
        await withTaskGroup(of: (RecordFile, DisconnectDecision.Result, String).self) { group in
            var iterator = work.makeIterator()
            func addNext() {
                guard let (file, nas) = iterator.next() else { return }
                group.addTask { [send] in
                    guard let nas else {
                        return (file, .unknownNAS, "NAS \(file.record.nas) is not in disconnect.nas")
                    }
                    let (result, detail) = await send(nas, file.record)
                    return (file, result, detail)
                }
            }
            for _ in 0..<Self.concurrency { addNext() }
            while let (file, result, detail) = await group.next() {
                report(file.record, result: result, detail: detail)
                if result.removesRecord { remove(file.path, file.identity) }
                done.append(StatusDocument.Disconnect(file.record, result: result, detail: detail))
                addNext()
            }
        }
        return done.sorted { ($0.name, $0.nas, $0.callingStationId) < ($1.name, $1.nas, $1.callingStationId) }
    }

    private func report(_ record: SessionRecord, result: DisconnectDecision.Result, detail: String) {
        let metadata: Logger.Metadata = [
            "name": "\(record.name)", "network": "\(record.network)", "nas": "\(record.nas)",
            "calling_station_id": "\(record.callingStationId)", "acct_session_id": "\(record.acctSessionId)",
            "result": "\(result.rawValue)", "detail": "\(detail)",
        ]
        if result.isAnswered {
            logger.notice("session disconnected", metadata: metadata)
        } else {
            logger.error(
                result == .unknownNAS
                    ? "session not disconnected: unknown NAS" : "session not disconnected; retried after the next pass",
                metadata: metadata)
        }
    }

    /// Every record in `directory`; files that are not records are logged and removed, and
    /// the hook's temporary files once they are old.
    private func readRecords(in directory: String, now: Int64) -> [RecordFile] {
        let names: [String]
        do {
            names = try Directory.entries(directory)
        } catch {
            logger.error("sessions not checked", metadata: ["reason": "\(error)"])
            return []
        }
        var out: [RecordFile] = []
        for name in names.sorted() {
            let path = directory + "/" + name
            guard let identity = FileIdentity(path) else { continue }
            if name.hasPrefix(".") {
                if now - identity.modified > Self.leftoverAge { unlink(path) }
                continue
            }
            guard name.hasSuffix(SessionRecord.fileSuffix) else { continue }
            let problem: String
            do {
                switch SessionRecord.parse(try FileBytes.read(path, limit: 4096)) {
                case .success(let record):
                    out.append(RecordFile(path: path, identity: identity, record: record))
                    continue
                case .failure(let error): problem = "\(error)"
                }
            } catch {
                problem = "\(error)"
            }
            logger.warning("session record removed: unreadable", metadata: ["path": "\(path)", "reason": "\(problem)"])
            remove(path, identity)
        }
        return out
    }

    /// Removes the file unless the hook replaced it since it was read (a new authentication
    /// of the same station: a new session, which the next pass judges).
    private func remove(_ path: String, _ identity: FileIdentity) {
        guard FileIdentity(path) == identity else { return }
        if unlink(path) != 0 && errno != ENOENT {
            logger.error(
                "cannot remove session record", metadata: ["path": "\(path)", "reason": "\(systemErrorText())"])
        }
    }
}

/// A file's inode, size and modification time: changed by any replacement.
struct FileIdentity: Equatable {
    var inode: UInt64
    var size: Int64
    var modified: Int64
    var modifiedNanoseconds: Int

    init?(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
