/* Arm semihosting (the debugger's, here QEMU's, host services): the board's console, its
 * test-only inputs (command line, host time, files of the test PKI) and its exit status. */
#ifndef MCU_SEMIHOSTING_H
#define MCU_SEMIHOSTING_H
#include <stddef.h>
#include <stdint.h>

void sh_write0(const char *s);                    /* SYS_WRITE0: a NUL-terminated string on the console */
int sh_get_cmdline(char *buf, size_t cap);        /* SYS_GET_CMDLINE (QEMU: -append) */
int64_t sh_time(void);                            /* SYS_TIME: the host's seconds since the epoch */
uint32_t sh_clock_cs(void);                       /* SYS_CLOCK: centiseconds since start (host time) */
long sh_read_file(const char *path, uint8_t *buf, size_t cap); /* SYS_OPEN/FLEN/READ/CLOSE */
__attribute__((noreturn)) void sh_exit(int status); /* SYS_EXIT_EXTENDED */
#endif
