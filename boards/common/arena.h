/*
 * A fixed arena for Mbed TLS's allocations on the ARM Linux boards. The board programs link
 * with -Wl,--wrap=calloc -Wl,--wrap=free, so every calloc/free of the statically linked
 * Mbed TLS (Debian's libmbedcrypto.a calls them directly) lands in __wrap_calloc /
 * __wrap_free here; glibc, linked dynamically, keeps its own heap. Before arena_init (or
 * with a size of 0) the wrappers pass through to the real calloc and free.
 *
 * Single-threaded, first fit over blocks kept in address order, neighbours merged when
 * freed: Mbed TLS makes a few dozen allocations per handshake, so a scan is cheap. A
 * request the arena cannot serve returns NULL; Mbed TLS reports *_ALLOC_FAILED and the core
 * TLSCORE_ERR_OUT_OF_MEMORY. The high-water mark counts the blocks' headers: it is the
 * number of bytes to reserve.
 */
#ifndef TLSCORE_BOARD_ARENA_H
#define TLSCORE_BOARD_ARENA_H

#include <stddef.h>

struct arena_stats {
    size_t size;        /* the arena's bytes */
    size_t in_use;      /* bytes taken now, headers included */
    size_t high_water;  /* the most ever taken at once, headers included */
    size_t allocations; /* callocs served */
    size_t refused;     /* callocs refused for want of room */
};

/* Serves Mbed TLS's allocations from `memory` (`size` bytes, suitably aligned) from now on. */
void arena_init(void *memory, size_t size);
void arena_stats(struct arena_stats *stats);

#endif
