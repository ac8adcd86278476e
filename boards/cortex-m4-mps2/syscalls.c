/* newlib-nano's system calls for a board without an OS. No heap: _sbrk refuses every request,
 * so a stray malloc fails (NULL) instead of growing into the stack; the core and Mbed TLS
 * never call it (Mbed TLS allocates from the firmware's arena). _write goes to the
 * semihosting console. */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include "semihosting.h"

void *_sbrk(ptrdiff_t increment) { (void)increment; errno = ENOMEM; return (void *)-1; }

int _write(int fd, const char *buf, int len) {
    (void)fd;
    char chunk[65];
    int done = 0;
    while (done < len) {
        int n = len - done > 64 ? 64 : len - done;
        for (int i = 0; i < n; i++) chunk[i] = buf[done + i];
        chunk[n] = 0;
        sh_write0(chunk);
        done += n;
    }
    return len;
}

int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; return 0; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int offset, int whence) { (void)fd; (void)offset; (void)whence; return 0; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _isatty(int fd) { (void)fd; return 1; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
void _exit(int status) { sh_exit(status); }
