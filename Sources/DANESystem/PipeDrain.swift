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
        let deadline = Deadline(after: limit)
        var pause = timespec(tv_sec: 0, tv_nsec: 20_000)
        while !deadline.hasPassed {
            var unread: Int32 = 0
            guard ioctl(descriptor, UInt(FIONREAD), &unread) == 0, unread > 0 else { return }
            nanosleep(&pause, nil)
            pause.tv_nsec = min(pause.tv_nsec * 2, 2_000_000)
        }
    }

    /// Keeps `descriptor`'s pipe open until this process has exited, so that its reader sees
    /// end-of-file only once this process can be reaped. Call it right before exiting.
    ///
    /// Why (docs/freeradius-rad-fork-race.md): FreeRADIUS 3.2 reads the hook's output to
    /// end-of-file, then `rad_waitpid` reaps once and, if the child has not exited yet,
    /// sleeps 100 ms before it looks again. A hook whose end-of-file came from its own exit lost
    /// that race nearly every time: 100 ms added to each authentication, and in a storm the
    /// worker threads spent most of their time asleep. A forked keeper holds the pipe until our
    /// PID is no longer its parent (we have exited and are a zombie), then exits itself.
    public static func closeAfterExit(_ descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFIFO else { return }
        let parent = getpid()
        let child = fork()
        guard child == 0 else { return }
        // The keeper: only async-signal-safe calls from here (the parent may have had threads).
        var pause = timespec(tv_sec: 0, tv_nsec: 50_000)
        var rounds = 0
        // 2 s at most: the parent is about to exit; a keeper never outlives a stuck one for long.
        while getppid() == parent && rounds < 40_000 {
            nanosleep(&pause, nil)
            rounds += 1
        }
        _exit(0)
    }
}
