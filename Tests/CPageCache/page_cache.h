// How much of a file the kernel holds in memory without having written it to disk yet, for the
// tests of durability: a file whose writes were synced has none. And whether a folder is in
// memory only (tmpfs), where nothing ever reaches a disk.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef SYS_cachestat
#define SYS_cachestat 451  // Linux 6.5 and later, on every architecture; glibc has no wrapper
#endif

// The file's pages that are dirty or being written back (Linux's cachestat), or -errno.
static inline long long page_cache_unwritten_pages(const char *path) {
    struct { uint64_t offset, length; } range = {0, 0};  // a length of 0: to the end of the file
    struct { uint64_t cached, dirty, writeback, evicted, recently_evicted; } counts = {0};
    int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) return -errno;
    long result = syscall(SYS_cachestat, descriptor, &range, &counts, 0);
    int failure = errno;
    close(descriptor);
    if (result != 0) return -failure;
    return (long long)(counts.dirty + counts.writeback);
}

// Whether `path` is on tmpfs, whose files live in memory only: they have no disk to reach.
static inline int page_cache_is_memory_only(const char *path) {
    struct statfs status;
    return statfs(path, &status) == 0 && status.f_type == 0x01021994;  // TMPFS_MAGIC
}
