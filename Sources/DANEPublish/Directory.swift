import Foundation

/// The directory operations of publishing, over POSIX calls so that a failure reads
/// "mkdir /var/lib/danesync: Permission denied" — the call, the path and errno's text, which
/// an admin can act on — rather than a Foundation error domain and code.
public enum Directory {
    /// Creates `path` and its missing parents (mode 0755 before the umask), like `mkdir -p`.
    public static func create(_ path: String) throws(AtomicFile.Failure) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw AtomicFile.Failure(path: path, operation: "mkdir", errno: ENOTDIR)
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try create(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw AtomicFile.Failure(path: path, operation: "mkdir", errno: errno)
        }
    }

    /// The names in `path`, without `.` and `..`.
    public static func entries(_ path: String) throws(AtomicFile.Failure) -> [String] {
        guard let stream = opendir(path) else {
            throw AtomicFile.Failure(path: path, operation: "opendir", errno: errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                guard errno == 0 else { throw AtomicFile.Failure(path: path, operation: "readdir", errno: errno) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
