import Foundation

/// A local user as the kernel's permission checks see it: uid and every group, for "can the
/// FreeRADIUS user read output.dir" questions asked by another user (`danesync doctor` runs as
/// root or as the admin, not as freerad). The classic owner/group/other bits decide; ACLs are
/// not consulted, and root may read and write anything but runs only what has an x bit.
public struct Account: Equatable, Sendable, CustomStringConvertible {
    public var name: String
    public var uid: uid_t
    public var groups: [gid_t]

    public var description: String { name }

    /// The user `name`, from the passwd and group databases.
    public static func named(_ name: String) -> Account? {
        guard let entry = getpwnam(name) else { return nil }
        return account(entry.pointee)
    }

    /// The user this process runs as.
    public static func current() -> Account? {
        guard let entry = getpwuid(getuid()) else { return nil }
        return account(entry.pointee)
    }

    private static func account(_ entry: passwd) -> Account {
        let name = String(cString: entry.pw_name)
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(entry.pw_name, entry.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(entry.pw_name, entry.pw_gid, &groups, &count)
        }
        return Account(name: name, uid: entry.pw_uid, groups: Array(groups.prefix(Int(max(count, 0)))))
    }

    public enum Access: Sendable { case read, write, execute }

    /// Whether this account may `access` `path`, and pass through every directory above it.
    public func may(_ access: Access, _ path: String) -> Bool {
        var directory = (path as NSString).deletingLastPathComponent
        while !directory.isEmpty, directory != "/" {
            guard allowed(.execute, directory) else { return false }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return allowed(access, path)
    }

    private func allowed(_ access: Access, _ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let mode = UInt32(info.st_mode)
        let bit: UInt32 = access == .read ? 4 : access == .write ? 2 : 1
        if uid == 0 {
            return access != .execute || (mode & 0o111) != 0 || (mode & UInt32(S_IFMT)) == UInt32(S_IFDIR)
        }
        let bits = info.st_uid == uid ? mode >> 6 : groups.contains(info.st_gid) ? mode >> 3 : mode
        return bits & bit != 0
    }
}
