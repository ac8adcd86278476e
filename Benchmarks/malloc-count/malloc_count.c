/* An LD_PRELOAD allocator counter that says who called the allocator.
 *
 * Wraps malloc, calloc, realloc and free (and the aligned forms, for the counts), attributes
 * each call by __builtin_return_address(0) + dladdr to the shared object it came from, and
 * keeps, per caller class, the number of allocating calls and the live bytes. Caller
 * classes: libmbedcrypto, libmbedx509, libmbedtls, libc (name resolution, stdio), Swift (the
 * Swift runtime and libraries: every Swift allocation goes through libswiftCore), the
 * program itself, and other objects.
 *
 * Connection windows: a TCP socket opened with socket(2) opens a window, close(2) of that
 * descriptor ends it. Per window it records the allocating calls by class, and the peak of
 * (live Mbed TLS bytes + growth of the other live bytes since the window opened): the heap
 * a connection needs, with the long-lived Mbed TLS state (a reference client's record
 * buffers, allocated before it connects) counted and the host program's own start-up heap
 * (argument parsing, file contents) not.
 *
 * At exit it writes its counters to the file named by MALLOC_COUNT_OUT (stderr if unset):
 *   total <class> <allocating calls> <peak live bytes>
 *   window <i> <calls per class, in class order> peak <bytes> mbedtls_peak <bytes> other_growth <bytes>
 *
 *   gcc -O2 -shared -fPIC -o malloc_count.so malloc_count.c -ldl
 *   MALLOC_COUNT_OUT=counts.txt LD_PRELOAD=./malloc_count.so program ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

enum { MBEDCRYPTO, MBEDX509, MBEDTLS, LIBC, SWIFT, PROGRAM, OTHER, CLASSES };
static const char *const class_names[CLASSES] = {
    "libmbedcrypto", "libmbedx509", "libmbedtls", "libc", "swift", "program", "other"};

/* Live allocations: pointer -> (size, class), open addressing with backward-shift delete. */
#define TABLE_BITS 20
#define TABLE_SIZE (1u << TABLE_BITS)
static struct entry { uintptr_t key; size_t size; int cls; } table[TABLE_SIZE];

/* Return address -> class, direct-mapped cache in front of dladdr. */
#define CACHE_SIZE 4096
static struct { uintptr_t address; int cls; } cache[CACHE_SIZE];

static long long calls[CLASSES];
static long long live[CLASSES], peak[CLASSES];

#define MAX_WINDOWS 1024
static struct window { long long calls[CLASSES]; long long peak, mbed_peak, other_growth; } windows[MAX_WINDOWS];
static int window_count;
static int window_fd = -1;
static long long other_base;

static volatile int lock_word;
static __thread int busy;
static char program_path[4096];

static void lock(void) { while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE)) {} }
static void unlock(void) { __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE); }

static uint32_t slot_of(uintptr_t key) {
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> (64 - TABLE_BITS));
}

static int classify(uintptr_t address) {
    unsigned index = (unsigned)((address >> 2) % CACHE_SIZE);
    if (cache[index].address == address) return cache[index].cls;
    int cls = OTHER;
    Dl_info info;
    if (dladdr((void *)address, &info) && info.dli_fname) {
        const char *name = info.dli_fname;
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        if (strstr(base, "libmbedcrypto")) cls = MBEDCRYPTO;
        else if (strstr(base, "libmbedx509")) cls = MBEDX509;
        else if (strstr(base, "libmbedtls")) cls = MBEDTLS;
        else if (strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-", 5) == 0) cls = LIBC;
        else if (strstr(base, "swift") || strstr(base, "Foundation") || strstr(base, "dispatch")) cls = SWIFT;
        else if (name[0] == 0 || strcmp(name, program_path) == 0) cls = PROGRAM;
    }
    cache[index].address = address;
    cache[index].cls = cls;
    return cls;
}

static long long mbed_live(void) { return live[MBEDCRYPTO] + live[MBEDX509] + live[MBEDTLS]; }
static long long other_live(void) {
    long long sum = 0;
    for (int i = LIBC; i < CLASSES; i++) sum += live[i];
    return sum;
}

static void note_peaks(void) {
    if (window_fd < 0 || window_count == 0) return;
    struct window *w = &windows[window_count - 1];
    long long mbed = mbed_live(), growth = other_live() - other_base;
    if (mbed > w->mbed_peak) w->mbed_peak = mbed;
    if (growth > w->other_growth) w->other_growth = growth;
    /* Memory freed below the window's baseline does not offset Mbed TLS's use. */
    if (mbed + (growth > 0 ? growth : 0) > w->peak) w->peak = mbed + (growth > 0 ? growth : 0);
}

static void insert(void *pointer, size_t size, int cls) {
    uintptr_t key = (uintptr_t)pointer;
    uint32_t i = slot_of(key);
    while (table[i].key && table[i].key != key) i = (i + 1) & (TABLE_SIZE - 1);
    table[i].key = key;
    table[i].size = size;
    table[i].cls = cls;
    live[cls] += (long long)size;
    if (live[cls] > peak[cls]) peak[cls] = live[cls];
}

static void erase(void *pointer) {
    uintptr_t key = (uintptr_t)pointer;
    uint32_t i = slot_of(key);
    while (table[i].key != key) {
        if (!table[i].key) return; /* not ours: allocated before we could see it */
        i = (i + 1) & (TABLE_SIZE - 1);
    }
    live[table[i].cls] -= (long long)table[i].size;
    table[i].key = 0;
    uint32_t j = i;
    for (;;) {
        j = (j + 1) & (TABLE_SIZE - 1);
        if (!table[j].key) break;
        uint32_t home = slot_of(table[j].key);
        /* Move j back into the hole at i unless its home lies cyclically in (i, j]. */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            table[i] = table[j];
            table[j].key = 0;
            i = j;
        }
    }
}

static void record(void *pointer, size_t size, uintptr_t caller, int counts) {
    if (!pointer || busy) return;
    busy = 1;
    int cls = classify(caller);
    lock();
    if (counts) {
        calls[cls]++;
        if (window_fd >= 0 && window_count > 0) windows[window_count - 1].calls[cls]++;
    }
    insert(pointer, size, cls);
    note_peaks();
    unlock();
    busy = 0;
}

static void forget(void *pointer) {
    if (!pointer || busy) return;
    busy = 1;
    lock();
    erase(pointer);
    note_peaks();
    unlock();
    busy = 0;
}

void *malloc(size_t size) {
    void *p = __libc_malloc(size);
    record(p, size, (uintptr_t)__builtin_return_address(0), 1);
    return p;
}

void *calloc(size_t count, size_t size) {
    void *p = __libc_calloc(count, size);
    record(p, count * size, (uintptr_t)__builtin_return_address(0), 1);
    return p;
}

void *realloc(void *old, size_t size) {
    forget(old);
    void *p = __libc_realloc(old, size);
    record(p, size, (uintptr_t)__builtin_return_address(0), 1);
    return p;
}

void free(void *pointer) {
    forget(pointer);
    __libc_free(pointer);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    record(p, size, (uintptr_t)__builtin_return_address(0), 1);
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    void *p = __libc_memalign(alignment, size);
    record(p, size, (uintptr_t)__builtin_return_address(0), 1);
    return p;
}

void *memalign(size_t alignment, size_t size) {
    void *p = __libc_memalign(alignment, size);
    record(p, size, (uintptr_t)__builtin_return_address(0), 1);
    return p;
}

/* Windows: a TCP socket's life. */
int socket(int domain, int type, int protocol) {
    static int (*real)(int, int, int);
    if (!real) real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
    int fd = real(domain, type, protocol);
    if (fd >= 0 && (domain == AF_INET || domain == AF_INET6) && (type & 0xf) == SOCK_STREAM) {
        lock();
        if (window_fd < 0 && window_count < MAX_WINDOWS) {
            window_fd = fd;
            window_count++;
            other_base = other_live();
            note_peaks();
        }
        unlock();
    }
    return fd;
}

int close(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "close");
    lock();
    if (fd == window_fd) window_fd = -1;
    unlock();
    return real(fd);
}

__attribute__((constructor)) static void start(void) {
    ssize_t n = readlink("/proc/self/exe", program_path, sizeof program_path - 1);
    program_path[n > 0 ? n : 0] = 0;
}

__attribute__((destructor)) static void finish(void) {
    busy = 1;
    const char *path = getenv("MALLOC_COUNT_OUT");
    int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;
    if (fd < 0) return;
    char line[512];
    for (int c = 0; c < CLASSES; c++) {
        int n = snprintf(line, sizeof line, "total %s %lld %lld\n", class_names[c], calls[c], peak[c]);
        if (write(fd, line, (size_t)n) < 0) break;
    }
    for (int w = 0; w < window_count; w++) {
        int n = snprintf(line, sizeof line, "window %d", w + 1);
        for (int c = 0; c < CLASSES; c++) n += snprintf(line + n, sizeof line - (size_t)n, " %lld", windows[w].calls[c]);
        n += snprintf(line + n, sizeof line - (size_t)n, " peak %lld mbedtls_peak %lld other_growth %lld\n",
                      windows[w].peak, windows[w].mbed_peak, windows[w].other_growth);
        if (write(fd, line, (size_t)n) < 0) break;
    }
    if (path) {
        static int (*real_close)(int);
        real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
        real_close(fd);
    }
}
