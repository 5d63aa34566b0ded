import CMallocShim

/// Hands memory freed between the phases of a pass back to the system (glibc's `malloc_trim`,
/// which also releases free pages inside its arenas). Reading 100,000 names back from
/// `status.json` leaves tens of megabytes of decoder temporaries freed but resident, and the
/// records of the resolve phase are freed before publishing: without this the peak RSS of a
/// pass was the sum of its phases, not their maximum.
enum MemoryTrim {
    static func now() {
        _ = dsync_malloc_trim()
    }
}
