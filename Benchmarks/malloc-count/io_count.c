/* The allocator counter's sibling: an LD_PRELOAD socket byte counter, the same method for
 * every client measured. It wraps send, recv, write and read (the first pair is what
 * TLSPlatform's TCPTransport uses, the second Mbed TLS's net_sockets) and counts, per TCP
 * connection (opened with connect(2)), the bytes sent and received on sockets and the
 * round trips: the times the client receives data after sending since its last receive (a
 * flight turnaround). It also follows the TLS record headers in the client's outgoing
 * stream, so that the turnarounds before the first application_data record (content
 * type 23) are the handshake's own round trips. It follows the incoming record headers too,
 * for the handshake's bytes: everything each way before the client's first application_data
 * record (TLS 1.2: its request), or, when the server sent application_data-typed records first
 * (TLS 1.3: its encrypted flight), up to the end of the client's first such record (its
 * Finished). TLS 1.3 NewSessionTickets arrive after that and count in the totals only.
 *
 * At exit it writes to the file named by IO_COUNT_OUT (stderr if unset), one line per
 * connection:
 *   connection <i> sent <bytes> received <bytes> round_trips <n> handshake_round_trips <n> records_sent <n>
 *              handshake_sent <bytes> handshake_received <bytes>
 *
 *   gcc -O2 -shared -fPIC -o io_count.so io_count.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONNECTIONS 1024
static struct connection {
    long long sent, received;
    long long handshake_sent, handshake_received;
    int round_trips, handshake_round_trips, records_sent, saw_application_data;
    int peer_sent_application_data, handshake_done;
} connections[MAX_CONNECTIONS];
static int count;
static int last_was_send;
/* Outgoing record framing: header bytes collected so far, body bytes still to skip. */
static unsigned char header[5];
static int header_bytes;
static long long body_left;
/* The same for the incoming stream. */
static unsigned char in_header[5];
static int in_header_bytes;
static long long in_body_left;
/* TLS 1.3: the handshake ends where the client's first encrypted record (its Finished) ends. */
static long long handshake_end = -1;

static struct connection *current(void) { return count > 0 ? &connections[count - 1] : NULL; }

static int is_socket(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void sent(const unsigned char *bytes, long long n) {
    struct connection *c = current();
    if (!c || n <= 0) return;
    long long before = c->sent;
    c->sent += n;
    last_was_send = 1;
    for (long long i = 0; i < n;) {
        if (body_left > 0) {
            long long skip = n - i < body_left ? n - i : body_left;
            body_left -= skip;
            i += skip;
            continue;
        }
        header[header_bytes++] = bytes[i++];
        if (header_bytes == 5) {
            header_bytes = 0;
            body_left = (long long)header[3] << 8 | header[4];
            c->records_sent++;
            if (header[0] == 23 && !c->saw_application_data) {
                c->saw_application_data = 1;
                c->handshake_round_trips = c->round_trips;
                if (c->peer_sent_application_data) {
                    handshake_end = before + i + body_left;  /* after this record */
                } else {
                    c->handshake_done = 1;
                    c->handshake_sent = before + i - 5;  /* before this record */
                    c->handshake_received = c->received;
                }
            }
        }
    }
    if (handshake_end >= 0 && !c->handshake_done && c->sent >= handshake_end) {
        c->handshake_done = 1;
        c->handshake_sent = handshake_end;
        c->handshake_received = c->received;
    }
}

static void received(const unsigned char *bytes, long long n) {
    struct connection *c = current();
    if (!c || n <= 0) return;
    c->received += n;
    for (long long i = 0; i < n;) {
        if (in_body_left > 0) {
            long long skip = n - i < in_body_left ? n - i : in_body_left;
            in_body_left -= skip;
            i += skip;
            continue;
        }
        in_header[in_header_bytes++] = bytes[i++];
        if (in_header_bytes == 5) {
            in_header_bytes = 0;
            in_body_left = (long long)in_header[3] << 8 | in_header[4];
            if (in_header[0] == 23 && !c->saw_application_data) c->peer_sent_application_data = 1;
        }
    }
    if (last_was_send) c->round_trips++;
    last_was_send = 0;
}

int connect(int fd, const struct sockaddr *address, socklen_t length) {
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    int type = 0;
    socklen_t type_length = sizeof type;
    if (count < MAX_CONNECTIONS && (address->sa_family == AF_INET || address->sa_family == AF_INET6) &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_length) == 0 && type == SOCK_STREAM) {
        count++;
        last_was_send = 0;
        header_bytes = 0;
        body_left = 0;
        in_header_bytes = 0;
        in_body_left = 0;
        handshake_end = -1;
    }
    return real(fd, address, length);
}

ssize_t send(int fd, const void *buffer, size_t length, int flags) {
    static ssize_t (*real)(int, const void *, size_t, int);
    if (!real) real = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
    ssize_t n = real(fd, buffer, length, flags);
    if (n > 0) sent(buffer, n);
    return n;
}

ssize_t recv(int fd, void *buffer, size_t length, int flags) {
    static ssize_t (*real)(int, void *, size_t, int);
    if (!real) real = (ssize_t (*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
    ssize_t n = real(fd, buffer, length, flags);
    if (n > 0) received(buffer, n);
    return n;
}

ssize_t write(int fd, const void *buffer, size_t length) {
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    ssize_t n = real(fd, buffer, length);
    if (n > 0 && fd > 2 && is_socket(fd)) sent(buffer, n);
    return n;
}

ssize_t read(int fd, void *buffer, size_t length) {
    static ssize_t (*real)(int, void *, size_t);
    if (!real) real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    ssize_t n = real(fd, buffer, length);
    if (n > 0 && fd > 2 && is_socket(fd)) received(buffer, n);
    return n;
}

__attribute__((destructor)) static void finish(void) {
    const char *path = getenv("IO_COUNT_OUT");
    FILE *out = path ? fopen(path, "w") : stderr;
    if (!out) return;
    for (int i = 0; i < count; i++) {
        struct connection *c = &connections[i];
        fprintf(out, "connection %d sent %lld received %lld round_trips %d handshake_round_trips %d records_sent %d "
                     "handshake_sent %lld handshake_received %lld\n",
                i + 1, c->sent, c->received, c->round_trips,
                c->saw_application_data ? c->handshake_round_trips : c->round_trips, c->records_sent,
                c->handshake_done ? c->handshake_sent : c->sent, c->handshake_done ? c->handshake_received : c->received);
    }
    if (path) fclose(out);
}
