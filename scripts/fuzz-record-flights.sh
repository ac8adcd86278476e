#!/usr/bin/env bash
# Records the server flights the engine fuzz targets start from: for each FuzzClient profile
# (Fuzz/Harness/FuzzClient.swift) an openssl s_server on 127.0.0.1 with the test PKI, and the
# recorder — the targets' own client configuration and fixed randomness — against it. Each
# stream lands in Fuzz/flights/client12-PROFILE.bin and, through Fuzz/make-seeds.py, in the
# seeds of Fuzz/corpus/client12/. Run it
# again after scripts/make-test-pki.sh or a change to the client's ClientHello.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/fuzz-build.sh recorder
pki=Tests/Fixtures/pki
mkdir -p Fuzz/flights
profiles=(ecdsa rsa mfl clientauth)
for i in "${!profiles[@]}"; do
    name=${profiles[i]}
    case $name in
        ecdsa) server=(-cert $pki/server-ec.crt -cert_chain $pki/int-ec.crt -key $pki/server-ec.key) ;;
        rsa) server=(-cert $pki/server-rsa.crt -cert_chain $pki/int-rsa.crt -key $pki/server-rsa.key -cipher AES128-GCM-SHA256) ;;
        mfl) server=(-cert $pki/server-rsa.crt -cert_chain $pki/int-rsa.crt -key $pki/server-rsa.key -cipher ECDHE-RSA-AES256-GCM-SHA384) ;;
        clientauth) server=(-cert $pki/server-ec.crt -cert_chain $pki/int-ec.crt -key $pki/server-ec.key
            -cipher ECDHE-ECDSA-AES128-CCM -Verify 2 -CAfile $pki/root-ec.crt) ;;
    esac
    port=$((20000 + RANDOM % 20000))
    log=.build-fuzz/recorder/s_server-$name.log
    openssl s_server -accept "127.0.0.1:$port" -tls1_2 -naccept 1 "${server[@]}" -www >"$log" 2>&1 &
    pid=$!
    status=0
    .build-fuzz/recorder/recorder "$i" "$port" "Fuzz/flights/client12-$name.bin" || status=$?
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [[ $status -ne 0 ]]; then
        echo "fuzz-record-flights: profile $name failed (s_server log: $log)" >&2
        exit 1
    fi
done
# The seeds: each flight with a profile byte and three chunk sizes.
python3 Fuzz/make-seeds.py
