#!/usr/bin/env python3
"""Writes the committed seed corpora, Fuzz/corpus/<target>/, from the test PKI
(Tests/Fixtures/pki) and small hand-made inputs in each target's input format (see the
comment at the top of each Fuzz/Targets/<target>.swift). Run it again after
scripts/make-test-pki.sh: the path seeds must chain to the anchors the fuzz build embeds
from the same folder. Seeds are named after what they are, so rerunning rewrites them
in place."""
import base64, glob, os, re, shutil, struct

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pki = os.path.join(root, "Tests", "Fixtures", "pki")
corpus = os.path.join(root, "Fuzz", "corpus")


def write(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


def der(name):
    with open(os.path.join(pki, name), "rb") as f:
        return f.read()


def pem_certificates(name):
    text = open(os.path.join(pki, name)).read()
    return [base64.b64decode("".join(b.split()))
            for b in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)]


def certificate_list(certs):
    return b"".join(struct.pack(">I", len(c))[1:] + c for c in certs)


for target in ("der", "certificate", "crl", "path", "hostname", "record", "client12", "session"):
    shutil.rmtree(os.path.join(corpus, target), ignore_errors=True)

certificates = sorted(f for f in glob.glob(os.path.join(pki, "*.der")) if not f.endswith(".key.der") and not f.endswith(".crl.der"))
crls = sorted(glob.glob(os.path.join(pki, "*.crl.der")))

# certificate, crl: the PKI as it is.
for f in certificates:
    write("certificate", os.path.basename(f)[:-4], der(f))
for f in crls:
    write("crl", os.path.basename(f)[:-8], der(f))

# der: a few certificates and CRLs, and small structures of every tag the reader types.
for name in ("root-ec.der", "server-rsa-pss.der", "nc-ok.der", "int-ec.crl.der"):
    write("der", name.replace(".der", ""), der(name))
small = {
    "integer": b"\x02\x01\x05", "integer-long": b"\x02\x03\x01\x00\x00", "boolean": b"\x01\x01\xff",
    "null": b"\x05\x00", "bitstring-named": b"\x03\x02\x05\xa0", "bitstring-aligned": b"\x03\x03\x00\xab\xcd",
    "utctime": b"\x17\x0d" + b"300101000000Z", "generalizedtime": b"\x18\x0f" + b"20991231235959Z",
    "oid": b"\x06\x03\x55\x1d\x13", "octets": b"\x04\x02\x30\x00",
    "algorithm-ecdsa": b"\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02",
    "long-length": b"\x04\x81\x80" + b"\x00" * 128,
    "nested": b"\x30\x0c\x31\x0a\x30\x08\xa0\x06\x30\x04\x02\x02\x01\x00",
}
for name, data in small.items():
    write("der", name, data)

# path: policy byte + certificate_list. Policy bits: 0-1 identity (0 localhost, 1 127.0.0.1,
# 2 none, 3 www.example.com), 2 clientAuth, 3 CN fallback, 4 require CRLs, 5-6 max depth
# (8, 2, 3, 4), 7 fuzzed CRLs (uint16 length + CRLs) before the list.
for f in sorted(glob.glob(os.path.join(pki, "*.chain.pem"))):
    name = os.path.basename(f)[:-len(".chain.pem")]
    policy = 0
    if name.startswith("client-"):
        policy = 2 | 4
    elif name == "server-ip":
        policy = 1
    elif name == "nc-ok" or name.startswith("server-wildcard"):
        policy = 3
    elif name.startswith("nc-"):
        policy = 2  # no identity: the name constraints alone decide
    elif name == "server-cn-only":
        policy = 8
    chain = pem_certificates(os.path.basename(f))
    write("path", name, bytes([policy]) + certificate_list(chain))
# Extras and shuffles: an unrelated certificate in the list, the issuer twice, anchors sent.
ec = pem_certificates("server-ec.chain.pem")
write("path", "server-ec+extra", b"\x00" + certificate_list(ec + [der("int-rsa.der")]))
write("path", "server-ec+root", b"\x00" + certificate_list(ec + [der("root-ec.der")]))
write("path", "server-ec-required-crls", b"\x10" + certificate_list(ec))
for f in crls:
    c = der(f)
    write("path", "server-ec-revoked+" + os.path.basename(f)[:-8],
          b"\x80" + struct.pack(">H", len(c)) + c + certificate_list(pem_certificates("server-ec-revoked.chain.pem")))

# hostname: options byte, reference, NUL, pattern.
pairs = [
    ("localhost", "localhost"), ("www.example.com", "*.example.com"), ("WWW.Example.COM.", "*.example.com"),
    ("example.com", "*.example.com"), ("a.b.example.com", "*.example.com"), ("example.com", "*.com"),
    ("foo.example.com", "f*.example.com"), ("a.b.example.com", "www.*.example.com"), ("x.bad.example.com", "bad.example.com"),
    ("www.other.org", ".example.com"), ("sub.example.com", ".example.com"), ("example.com", ""),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"), ("under_score.example", "*.example"),
    ("a" * 63 + ".com", "*.com"), ("a" * 64 + ".com", "a" * 64 + ".com"), ("trailing.", "trailing"),
    ("..", "."), ("*.example.com", "*.example.com"), ("10.1.2.3", "10.0.0.0"),
]
for i, (reference, pattern) in enumerate(pairs):
    write("hostname", "pair-%02d" % i, bytes([i & 3]) + reference.encode() + b"\x00" + pattern.encode())
write("hostname", "ip-in-subnet", b"\x00" + bytes([10, 1, 2, 3]) + b"\x00" + bytes([10, 0, 0, 0, 255, 0, 0, 0]))
write("hostname", "ip6", b"\x00" + bytes(15) + b"\x01\x00" + bytes(15) + b"\x01")

# record: config, chunk, read chunk, then records (kind, uint16 length, bytes). kind bits
# 0-1 type 20+n, 2 raw, 3 flip a bit, 4 version 3,1, 5 length + 1.
def op(kind, body):
    return bytes([kind]) + struct.pack(">H", len(body)) + body

finished = bytes.fromhex("1400000c") + bytes(range(12))
hello_done = bytes.fromhex("0e000000")
request = b"GET / HTTP/1.0\r\n\r\n"
handshake = op(2, hello_done) + op(0, b"\x01") + op(2, finished) + op(3, request) + op(1, b"\x01\x00")
for suite in range(6):
    for limit in (0, 1):
        config = suite | (limit << 4) | 8
        write("record", "suite%d-limit%d" % (suite, limit), bytes([config, 0, 0x10]) + handshake)
write("record", "trickle", bytes([0x08, 1, 1]) + handshake)
write("record", "many-records", bytes([0x00, 0x20, 0x05]) + op(0, b"\x01") + b"".join(op(3, bytes([i]) * (i * 5)) for i in range(1, 30)))
write("record", "full-fragment", bytes([0x28, 0, 0xff]) + op(0, b"\x01") + op(3, bytes(1024)))
write("record", "small-region", bytes([0x40 | 0x10, 0, 0]) + op(0, b"\x01") + op(3, bytes(400)))
write("record", "oversized", bytes([0x10, 0, 0]) + op(3, bytes(513)))
write("record", "tampered", bytes([0x00, 0, 0]) + op(0, b"\x01") + op(3 | 8, request))
write("record", "version-31", bytes([0x00, 0, 0]) + op(2 | 0x10, hello_done) + op(0, b"\x01") + op(3, request))
write("record", "length-lie", bytes([0x00, 0, 0]) + op(0, b"\x01") + op(3 | 0x20, request))
write("record", "raw", bytes([0x00, 0, 0]) + op(4, bytes.fromhex("1603030004") + hello_done + bytes.fromhex("1803030000")))
write("record", "empty-appdata", bytes([0x00, 0, 0]) + op(0, b"\x01") + op(3, b"") + op(3, b"x"))

# client12: the recorded flights (scripts/fuzz-record-flights.sh writes profile byte 0x0N,
# chunk byte 0, the stream as Fuzz/corpus/client12/PROFILE) fed in other chunk sizes.
for i, name in enumerate(("ecdsa", "rsa", "mfl", "clientauth")):
    path = os.path.join(root, "Fuzz", "flights", "client12-%s.bin" % name)
    if not os.path.exists(path):
        continue
    flight = open(path, "rb").read()
    write("client12", name, bytes([i, 0]) + flight)
    write("client12", name + "-chunks-8", bytes([i, 1]) + flight)
    write("client12", name + "-chunks-449", bytes([i, 64]) + flight)
# The GnuTLS flights (gnutls-serv, same profiles): whole and in 8-byte pieces only, to keep
# the corpus small.
for i, name in ((0, "ecdsa"), (1, "rsa")):
    path = os.path.join(root, "Fuzz", "flights", "client12-gnutls-%s.bin" % name)
    if not os.path.exists(path):
        continue
    flight = open(path, "rb").read()
    write("client12", "gnutls-" + name, bytes([i, 0]) + flight)
    write("client12", "gnutls-" + name + "-chunks-8", bytes([i, 1]) + flight)

# session: the session regions hostsim stored from openssl s_server (Fuzz/flights/session-KIND.bin,
# `hostsim connect --session` with root-ec, localhost, --time 1893456000: a TLS 1.3 ticket, a
# TLS 1.2 ticket, a TLS 1.2 session ID) whole, in a larger zeroed region, cut, with one byte
# flipped (magic, format, length, kind, a secret byte, the check), and an empty region.
# Record them again after scripts/make-test-pki.sh (their anchors digest is root-ec's), with
# the command above against `openssl s_server -www` (-tls1_3; -tls1_2; -tls1_2 -no_ticket).
for kind in ("ticket13", "ticket12", "sessionid"):
    path = os.path.join(root, "Fuzz", "flights", "session-%s.bin" % kind)
    if not os.path.exists(path):
        continue
    region = open(path, "rb").read()
    write("session", kind, region)
    write("session", kind + "-in-region", region + bytes(1400 - len(region)))
    write("session", kind + "-cut", region[:len(region) // 2])
    write("session", kind + "-cut-check", region[:-1])
    for name, at in (("magic", 0), ("format", 2), ("length", 4), ("kind", 5), ("secret", 62), ("check", len(region) - 1)):
        flipped = bytearray(region)
        flipped[at] ^= 0x01
        write("session", "%s-flip-%s" % (kind, name), flipped)
write("session", "empty", bytes(64))

total = sum(os.path.getsize(f) for f in glob.glob(os.path.join(corpus, "*", "*")))
print("make-seeds: %d files, %d bytes in Fuzz/corpus" % (len(glob.glob(os.path.join(corpus, "*", "*"))), total))
