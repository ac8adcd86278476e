/* The arena behind -Wl,--wrap=calloc,--wrap=free: see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <string.h>

void *__real_calloc(size_t count, size_t size);
void __real_free(void *pointer);
void *__wrap_calloc(size_t count, size_t size);
void __wrap_free(void *pointer);

/* Every block starts with this header; blocks tile the arena in address order. */
#define ALIGNMENT 16u
struct block {
    size_t size; /* the whole block, header included, a multiple of ALIGNMENT */
    size_t used;
};
#define HEADER (((sizeof(struct block) + ALIGNMENT - 1) / ALIGNMENT) * ALIGNMENT)

static unsigned char *arena_base;
static size_t arena_size;
static struct arena_stats stats;

void arena_init(void *memory, size_t size) {
    uintptr_t start = ((uintptr_t)memory + ALIGNMENT - 1) & ~(uintptr_t)(ALIGNMENT - 1);
    size_t lost = (size_t)(start - (uintptr_t)memory);
    memset(&stats, 0, sizeof stats);
    arena_base = NULL;
    arena_size = 0;
    if (!memory || size < lost + HEADER + ALIGNMENT) return;
    arena_base = (unsigned char *)start;
    arena_size = ((size - lost) / ALIGNMENT) * ALIGNMENT;
    struct block *first = (struct block *)arena_base;
    first->size = arena_size;
    first->used = 0;
    stats.size = arena_size;
}

void arena_stats(struct arena_stats *out) { *out = stats; }

static int in_arena(const void *pointer) {
    return arena_base && (const unsigned char *)pointer >= arena_base &&
           (const unsigned char *)pointer < arena_base + arena_size;
}

void *__wrap_calloc(size_t count, size_t size) {
    if (!arena_base) return __real_calloc(count, size);
    if (size && count > (SIZE_MAX - HEADER - ALIGNMENT) / size) {
        stats.refused++;
        return NULL;
    }
    size_t need = HEADER + ((count * size + ALIGNMENT - 1) / ALIGNMENT) * ALIGNMENT;
    if (need == HEADER) need += ALIGNMENT;
    for (unsigned char *at = arena_base; at < arena_base + arena_size;) {
        struct block *block = (struct block *)at;
        if (!block->used) {
            /* Merge the free blocks that follow, so that freed neighbours serve large requests. */
            while (at + block->size < arena_base + arena_size) {
                struct block *next = (struct block *)(at + block->size);
                if (next->used) break;
                block->size += next->size;
            }
            if (block->size >= need) {
                if (block->size - need >= HEADER + ALIGNMENT) {
                    struct block *rest = (struct block *)(at + need);
                    rest->size = block->size - need;
                    rest->used = 0;
                    block->size = need;
                }
                block->used = 1;
                stats.in_use += block->size;
                if (stats.in_use > stats.high_water) stats.high_water = stats.in_use;
                stats.allocations++;
                memset(at + HEADER, 0, block->size - HEADER);
                return at + HEADER;
            }
        }
        at += block->size;
    }
    stats.refused++;
    return NULL;
}

void __wrap_free(void *pointer) {
    if (!pointer) return;
    if (!in_arena(pointer)) {
        __real_free(pointer);
        return;
    }
    struct block *block = (struct block *)((unsigned char *)pointer - HEADER);
    if (!block->used) return; /* a double free: ignored rather than corrupting the list */
    block->used = 0;
    stats.in_use -= block->size;
    /* Freed memory held keys and secrets: zeroed now, not when it is next handed out. */
    memset(pointer, 0, block->size - HEADER);
}
