#include "semihosting.h"
#include <string.h>

static inline uintptr_t sh_call(uintptr_t op, uintptr_t arg) {
    register uintptr_t r0 __asm__("r0") = op;
    register uintptr_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_write0(const char *s) { sh_call(0x04, (uintptr_t)s); }

int sh_get_cmdline(char *buf, size_t cap) {
    uintptr_t block[2] = {(uintptr_t)buf, cap};
    if (sh_call(0x15, (uintptr_t)block) != 0) return -1;
    return (int)block[1];
}

int64_t sh_time(void) { return (int64_t)sh_call(0x11, 0); }

uint32_t sh_clock_cs(void) { return (uint32_t)sh_call(0x10, 0); }

long sh_read_file(const char *path, uint8_t *buf, size_t cap) {
    uintptr_t open[3] = {(uintptr_t)path, 1 /* "rb" */, strlen(path)};
    intptr_t fd = (intptr_t)sh_call(0x01, (uintptr_t)open);
    if (fd < 0) return -1;
    uintptr_t flen[1] = {(uintptr_t)fd};
    intptr_t len = (intptr_t)sh_call(0x0C, (uintptr_t)flen);
    long result = -1;
    if (len >= 0 && (size_t)len <= cap) {
        uintptr_t rd[3] = {(uintptr_t)fd, (uintptr_t)buf, (uintptr_t)len};
        if (sh_call(0x06, (uintptr_t)rd) == 0) result = len;   /* returns the bytes NOT read */
    }
    uintptr_t cl[1] = {(uintptr_t)fd};
    sh_call(0x02, (uintptr_t)cl);
    return result;
}

void sh_exit(int status) {
    uintptr_t block[2] = {0x20026 /* ADP_Stopped_ApplicationExit */, (uintptr_t)status};
    sh_call(0x20, (uintptr_t)block);
    for (;;) { }
}
