// POSIX headers for TLSPlatform. A C module rather than Glibc so that the same Swift
// sources compile as Embedded Swift for bare triples against a cross sysroot.
#ifndef CPOSIX_H
#define CPOSIX_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <termios.h>
#include <pty.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/types.h>

// open is variadic, which Swift does not import; this is the form without a mode.
static inline int cposix_open(const char *path, int flags) { return open(path, flags); }

// errno is a macro over a thread-local; Swift cannot import it directly.
static inline int cposix_errno(void) { return errno; }

// fcntl is variadic, which Swift does not import; this is the int-argument form.
static inline int cposix_fcntl_int(int fd, int command, int argument) { return fcntl(fd, command, argument); }

#endif
