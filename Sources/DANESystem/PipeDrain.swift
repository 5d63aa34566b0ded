#if canImport(Glibc)
import Glibc
#endif

/// Waits until what this process wrote to a pipe has been read.
///
/// Why `daneverify` needs it (docs/freeradius-rad-fork-race.md): FreeRADIUS 3.2's `rad_fork()`
/// records a child's PID only after `fork()` returned, while any other worker's
/// `reap_children()` calls `waitpid(0, …, WNOHANG)` and drops the status of a PID it does not
/// know yet. A hook that exits inside that window is never seen to exit: `rad_waitpid` gives up
/// after 10 s and the device is refused. FreeRADIUS reads the hook's stdout only after
/// `rad_fork()` returned — after the PID is recorded — so once our line has left the pipe,
/// exiting is safe. On anything but a pipe (a file, a terminal) there is nothing to wait for.
public enum PipeDrain {
    /// Returns once `descriptor`'s pipe holds no unread byte (`FIONREAD` is 0), or after `limit`.
    public static func wait(_ descriptor: Int32, limit: Duration) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFIFO else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var pause = timespec(tv_sec: 0, tv_nsec: 20_000)
        while clock.now < deadline {
            var unread: Int32 = 0
            guard ioctl(descriptor, UInt(FIONREAD), &unread) == 0, unread > 0 else { return }
            nanosleep(&pause, nil)
            pause.tv_nsec = min(pause.tv_nsec * 2, 2_000_000)
        }
    }
}
