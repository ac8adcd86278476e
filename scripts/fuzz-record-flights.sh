#!/usr/bin/env bash
# Records the server flights the engine fuzz targets start from: for each FuzzClient profile
# (Fuzz/Harness/FuzzClient.swift) an openssl s_server on 127.0.0.1 with the test PKI, and the
# recorder — the targets' own client configuration and fixed randomness — against it. Each
# stream lands in Fuzz/flights/client12-PROFILE.bin and, through Fuzz/make-seeds.py, in the
# seeds of Fuzz/corpus/client12/. Then the same against gnutls-serv (TLS 1.2) for the ecdsa
# and rsa profiles: Fuzz/flights/client12-gnutls-PROFILE.bin, another server's message
# order, extensions and record framing. SERVERS="gnutls" (or "openssl") records only those.
# Every server listens on a free ephemeral port and is stopped after its one connection. Run
# it again after scripts/make-test-pki.sh or a change to the client's ClientHello.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/fuzz-build.sh recorder
pki=Tests/Fixtures/pki
mkdir -p Fuzz/flights
servers=${SERVERS:-openssl gnutls}

# A port the kernel hands out as free from its ephemeral range (bound, then released).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stop PID: ends one server this script started and waits for it.
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

profiles=(ecdsa rsa mfl clientauth)
for i in "${!profiles[@]}"; do
    [[ " $servers " == *" openssl "* ]] || break
    name=${profiles[i]}
    case $name in
        ecdsa) server=(-cert $pki/server-ec.crt -cert_chain $pki/int-ec.crt -key $pki/server-ec.key) ;;
        rsa) server=(-cert $pki/server-rsa.crt -cert_chain $pki/int-rsa.crt -key $pki/server-rsa.key -cipher AES128-GCM-SHA256) ;;
        mfl) server=(-cert $pki/server-rsa.crt -cert_chain $pki/int-rsa.crt -key $pki/server-rsa.key -cipher ECDHE-RSA-AES256-GCM-SHA384) ;;
        clientauth) server=(-cert $pki/server-ec.crt -cert_chain $pki/int-ec.crt -key $pki/server-ec.key
            -cipher ECDHE-ECDSA-AES128-CCM -Verify 2 -CAfile $pki/root-ec.crt) ;;
    esac
    port=$(free_port)
    log=.build-fuzz/recorder/s_server-$name.log
    openssl s_server -accept "127.0.0.1:$port" -tls1_2 -naccept 1 "${server[@]}" -www >"$log" 2>&1 &
    pid=$!
    status=0
    .build-fuzz/recorder/recorder "$i" "$port" "Fuzz/flights/client12-$name.bin" || status=$?
    stop "$pid"
    if [[ $status -ne 0 ]]; then
        echo "fuzz-record-flights: profile $name failed (s_server log: $log)" >&2
        exit 1
    fi
done

# GnuTLS 3.7, as /work/shared/INTEROP.md runs it: the ecdsa profile (0) against an ECDSA
# chain and ECDHE-ECDSA-AES128-GCM, the rsa profile (1) against an RSA chain and RSA key
# transport. gnutls-serv has no bind address (it listens on every address; the recorder
# connects to 127.0.0.1) and no one-connection option: it is stopped after the recording.
gnutls_priority() {
    echo "NONE:+VERS-TLS1.2:+$1:+AES-128-GCM:+AEAD:+SIGN-ALL:+GROUP-ALL:+COMP-NULL:+CTYPE-X509"
}
for name in ecdsa rsa; do
    [[ " $servers " == *" gnutls "* ]] || break
    case $name in
        ecdsa) profile=0 server=(--x509certfile $pki/server-ec.chain.pem --x509keyfile $pki/server-ec.key
            --priority "$(gnutls_priority ECDHE-ECDSA)") ;;
        rsa) profile=1 server=(--x509certfile $pki/server-rsa.chain.pem --x509keyfile $pki/server-rsa.key
            --priority "$(gnutls_priority RSA)") ;;
    esac
    port=$(free_port)
    log=.build-fuzz/recorder/gnutls-serv-$name.log
    gnutls-serv --http -p "$port" "${server[@]}" >"$log" 2>&1 &
    pid=$!
    status=0
    .build-fuzz/recorder/recorder "$profile" "$port" "Fuzz/flights/client12-gnutls-$name.bin" || status=$?
    stop "$pid"
    if [[ $status -ne 0 ]]; then
        echo "fuzz-record-flights: gnutls profile $name failed (gnutls-serv log: $log)" >&2
        exit 1
    fi
done
# The seeds: each flight with a profile byte and three chunk sizes.
python3 Fuzz/make-seeds.py
