#!/usr/bin/env bash
# Regenerates the test PKI in Tests/Fixtures/pki/ from scratch (the folder is deleted and
# rewritten). Uses only the openssl 3.x command line. Every certificate and CRL has fixed,
# far-off dates, so the fixtures never expire: tests validate at 2030-01-01T00:00:00Z
# (unix 1893456000). Keys are fresh on every run, so the output differs run to run, but
# the structure (names, dates, extensions, serial numbers) is the same.
#
# After generating, the script checks every leaf with `openssl verify -attime` and fails
# if any outcome differs from the one documented in Tests/Fixtures/pki/README.md.
#
# --keep adds what is missing without touching what is there: the folder is not deleted,
# and every fixture whose certificate (or CRL) already exists keeps its key and its bytes;
# only the missing ones are generated (with fresh keys), by the CAs already there. The
# shared serial counter is advanced past each kept certificate as if it had been issued, so
# a new fixture gets the same serial number as in a full run. Use it to add fixtures without
# invalidating what embeds the existing ones' bytes (fuzz seeds and recorded flights,
# session regions, sizes in BENCHMARKS.md). The README and bundles are rewritten either way
# (from the certificates, so a kept fixture's rows stay the same), and the self-check runs
# over everything. New fixtures must be issued after the last existing one (at the end of
# the issuing order) for their serials to match a full run, and --keep does not regenerate
# a CRL that exists, so a new leaf cannot be added to a CRL this way.
#
# Usage: scripts/make-test-pki.sh                   (generate everything + self-check)
#        scripts/make-test-pki.sh --keep            (add missing fixtures + self-check)
#        scripts/make-test-pki.sh [--keep] --no-check (generate only)
set -euo pipefail
umask 022
export LC_ALL=C

check=1
keep=0
for arg in "$@"; do
    case $arg in
        --no-check) check=0 ;;
        --keep) keep=1 ;;
        *) printf 'usage: %s [--keep] [--no-check]\n' "$0" >&2; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$repo/Tests/Fixtures/pki"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fixed validity periods. 2020 is encoded as UTCTime, 2099 as GeneralizedTime.
LONG_START=200101000000Z
LONG_END=20991231235959Z
ORG="/O=TLSCore Test PKI"
VALIDATION_TIME=1893456000 # 2030-01-01T00:00:00Z

if [ "$keep" -eq 0 ]; then rm -rf "$out"; fi
mkdir -p "$out" "$work/newcerts" "$work/db" "$work/ext" "$work/csr"
# One serial counter shared by every CA, so serial numbers are distinct across the PKI.
echo 1001 >"$work/serial"
echo 01 >"$work/crlnumber"
export PKI_WORK="$work"
export PKI_DB="$work/db/none.index"

cnf="$work/openssl.cnf"
cat >"$cnf" <<'EOF'
[ ca ]
default_ca = test_ca

[ test_ca ]
dir             = $ENV::PKI_WORK
database        = $ENV::PKI_DB
serial          = $dir/serial
crlnumber       = $dir/crlnumber
new_certs_dir   = $dir/newcerts
default_md      = sha256
default_days    = 1
default_crl_days = 1
policy          = policy_any
preserve        = yes
unique_subject  = no
email_in_dn     = no
copy_extensions = none

[ policy_any ]
organizationName = optional
commonName       = supplied

[ req ]
distinguished_name = req_dn

[ req_dn ]

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF

log() { printf 'make-test-pki: %s\n' "$*" >&2; }

# kept FILE: true when --keep is given and FILE (in the fixture folder) already exists.
kept() { [ "$keep" -eq 1 ] && [ -e "$out/$1" ]; }

# keygen NAME TYPE  (TYPE: ec256 | ec384 | rsa2048) -> NAME.key (PKCS#8 PEM), NAME.key.der
keygen() {
    local name=$1 type=$2
    if kept "$name.key"; then return; fi
    case $type in
        ec256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
                   -pkeyopt ec_param_enc:named_curve -out "$out/$name.key" ;;
        ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
                   -pkeyopt ec_param_enc:named_curve -out "$out/$name.key" ;;
        rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
                   -out "$out/$name.key" 2>/dev/null ;;
        *) log "unknown key type $type"; exit 1 ;;
    esac
    openssl pkey -in "$out/$name.key" -outform DER -out "$out/$name.key.der"
}

# issue NAME ISSUER CN START END EXTENSIONS [extra `openssl ca` args...]
# ISSUER is the fixture name of the signing CA, or "self" for a self-signed root.
# EXTENSIONS is the body of an extension section, one `name = value` per line.
# Writes NAME.crt (PEM) and NAME.der, using the existing NAME.key.
issue() {
    local name=$1 issuer=$2 cn=$3 start=$4 end=$5 exts=$6
    shift 6
    if kept "$name.crt"; then
        # Keep it; the next serial is the one after its own, as if it had just been issued.
        local serial
        serial=$(openssl x509 -in "$out/$name.crt" -noout -serial | sed 's/^serial=//')
        printf '%04X\n' $((16#$serial + 1)) >"$work/serial"
        [ -e "$work/db/$name.index" ] || touch "$work/db/$name.index"
        [ -e "$out/$name.der" ] || openssl x509 -in "$out/$name.crt" -outform DER -out "$out/$name.der"
        return
    fi
    printf '[ ext ]\n%s\n' "$exts" >"$work/ext/$name.cnf"
    openssl req -new -config "$cnf" -key "$out/$name.key" -subj "$ORG/CN=$cn" \
        -out "$work/csr/$name.csr"
    local signer=()
    if [ "$issuer" = self ]; then
        signer=(-selfsign -keyfile "$out/$name.key")
        touch "$work/db/$name.index"
        PKI_DB="$work/db/$name.index"
    else
        signer=(-cert "$out/$issuer.crt" -keyfile "$out/$issuer.key")
        PKI_DB="$work/db/$issuer.index"
    fi
    PKI_DB=$PKI_DB openssl ca -batch -config "$cnf" -notext "${signer[@]}" \
        -in "$work/csr/$name.csr" -out "$out/$name.crt" \
        -startdate "$start" -enddate "$end" \
        -extfile "$work/ext/$name.cnf" -extensions ext "$@" 2>"$work/ca.log" \
        || { cat "$work/ca.log" >&2; exit 1; }
    # A CA gets its own (initially empty) database for the certificates it issues.
    [ -e "$work/db/$name.index" ] || touch "$work/db/$name.index"
    openssl x509 -in "$out/$name.crt" -outform DER -out "$out/$name.der"
}

# chain NAME CERT... -> NAME.chain.pem = NAME.crt followed by the given certificates
chain() {
    local name=$1
    shift
    local files=("$out/$name.crt")
    local c
    for c in "$@"; do files+=("$out/$c.crt"); done
    cat "${files[@]}" >"$out/$name.chain.pem"
}

# revoke NAME ISSUER: mark NAME revoked (keyCompromise) in ISSUER's database, with a fixed
# revocation date of 2020-01-01T00:00:00Z.
revoke() {
    local name=$1 issuer=$2 db="$work/db/$2.index"
    if kept "$issuer.crl"; then return; fi
    PKI_DB=$db openssl ca -batch -config "$cnf" -cert "$out/$issuer.crt" \
        -keyfile "$out/$issuer.key" -revoke "$out/$name.crt" -crl_reason keyCompromise \
        2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
    awk 'BEGIN { FS = OFS = "\t" } $1 == "R" { sub(/^[0-9]+Z/, "200101000000Z", $3) } { print }' \
        "$db" >"$db.tmp"
    mv "$db.tmp" "$db"
}

# gencrl OUTNAME ISSUER_CERT ISSUER_KEY DATABASE LASTUPDATE NEXTUPDATE -> OUTNAME.crl, .crl.der
gencrl() {
    local name=$1 cert=$2 key=$3 db=$4 last=$5 next=$6
    if kept "$name.crl"; then return; fi
    PKI_DB=$db openssl ca -batch -config "$cnf" -gencrl -cert "$cert" -keyfile "$key" \
        -crlexts crl_ext -crl_lastupdate "$last" -crl_nextupdate "$next" \
        -out "$out/$name.crl" 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
    openssl crl -in "$out/$name.crl" -outform DER -out "$out/$name.crl.der"
}

# Extension bodies ---------------------------------------------------------------------

ROOT_EXT='basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash'

INT_EXT='basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always'

LOCALHOST_SAN='DNS:localhost, IP:127.0.0.1'

# server_ext SAN [KEYUSAGE] [EKU]   (SAN "" = no subjectAltName)
server_ext() {
    local san=$1 ku=${2:-digitalSignature} eku=${3:-serverAuth}
    printf 'basicConstraints = critical, CA:FALSE\n'
    printf 'keyUsage = critical, %s\n' "$ku"
    printf 'extendedKeyUsage = %s\n' "$eku"
    printf 'subjectKeyIdentifier = hash\n'
    printf 'authorityKeyIdentifier = keyid:always\n'
    if [ -n "$san" ]; then printf 'subjectAltName = %s\n' "$san"; fi
}
RSA_KU='digitalSignature, keyEncipherment'
CLIENT_EXT=$(server_ext "" digitalSignature clientAuth)

# Roots -----------------------------------------------------------------------------------
log "roots"
keygen root-ec ec256
issue root-ec self "TLSCore Test Root EC" $LONG_START $LONG_END "$ROOT_EXT"
keygen root-rsa rsa2048
issue root-rsa self "TLSCore Test Root RSA" $LONG_START $LONG_END "$ROOT_EXT"
keygen other-root-ec ec256
issue other-root-ec self "Untrusted Other Root EC" $LONG_START $LONG_END "$ROOT_EXT"

# Intermediates -----------------------------------------------------------------------------
log "intermediates"
keygen int-ec ec256
issue int-ec root-ec "TLSCore Test Intermediate EC" $LONG_START $LONG_END "$INT_EXT" -md sha256
keygen int-ec384 ec384
issue int-ec384 root-ec "TLSCore Test Intermediate EC P-384" $LONG_START $LONG_END "$INT_EXT" -md sha384
keygen int-rsa rsa2048
issue int-rsa root-rsa "TLSCore Test Intermediate RSA" $LONG_START $LONG_END "$INT_EXT" -md sha256

# Server leaves -------------------------------------------------------------------------------
log "server leaves"
keygen server-ec ec256
issue server-ec int-ec localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN")"
chain server-ec int-ec

keygen server-ec384 ec384
issue server-ec384 int-ec384 localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN")" -md sha384
chain server-ec384 int-ec384

keygen server-rsa rsa2048
issue server-rsa int-rsa localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN" "$RSA_KU")"
chain server-rsa int-rsa

keygen server-rsa-pss rsa2048
issue server-rsa-pss int-rsa localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN" "$RSA_KU")" \
    -md sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256
chain server-rsa-pss int-rsa

keygen server-rsa-sha512 rsa2048
issue server-rsa-sha512 int-rsa localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN" "$RSA_KU")" -md sha512
chain server-rsa-sha512 int-rsa

keygen server-sha1 rsa2048
issue server-sha1 int-rsa localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN" "$RSA_KU")" -md sha1
chain server-sha1 int-rsa

keygen server-ec-revoked ec256
issue server-ec-revoked int-ec localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN")"
chain server-ec-revoked int-ec

# Client leaves ---------------------------------------------------------------------------------
log "client leaves"
keygen client-ec ec256
issue client-ec int-ec device-1 $LONG_START $LONG_END "$CLIENT_EXT"
chain client-ec int-ec

keygen client-rsa rsa2048
issue client-rsa int-rsa device-2 $LONG_START $LONG_END "$CLIENT_EXT"
chain client-rsa int-rsa

keygen client-ec-revoked ec256
issue client-ec-revoked int-ec device-3 $LONG_START $LONG_END "$CLIENT_EXT"
chain client-ec-revoked int-ec

keygen client-unknown ec256
issue client-unknown other-root-ec device-4 $LONG_START $LONG_END "$CLIENT_EXT"
chain client-unknown other-root-ec

# Bad server leaves -------------------------------------------------------------------------------
log "bad server leaves"
keygen server-expired ec256
issue server-expired int-ec localhost 000101000000Z 010101000000Z "$(server_ext "$LOCALHOST_SAN")"
chain server-expired int-ec

keygen server-notyet ec256
issue server-notyet int-ec localhost 20900101000000Z 20950101000000Z "$(server_ext "$LOCALHOST_SAN")"
chain server-notyet int-ec

keygen server-wrongname ec256
issue server-wrongname int-ec server-wrongname $LONG_START $LONG_END "$(server_ext "DNS:other.example")"
chain server-wrongname int-ec

keygen server-cn-only ec256
issue server-cn-only int-ec localhost $LONG_START $LONG_END "$(server_ext "")"
chain server-cn-only int-ec

keygen server-unknown-ca ec256
issue server-unknown-ca other-root-ec localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN")"
chain server-unknown-ca other-root-ec

keygen server-clientauth-only ec256
issue server-clientauth-only int-ec localhost $LONG_START $LONG_END \
    "$(server_ext "$LOCALHOST_SAN" digitalSignature clientAuth)"
chain server-clientauth-only int-ec

keygen server-unknown-critical ec256
issue server-unknown-critical int-ec localhost $LONG_START $LONG_END \
    "$(server_ext "$LOCALHOST_SAN"; printf '1.3.6.1.4.1.55555.1 = critical, ASN1:UTF8String:x\n')"
chain server-unknown-critical int-ec

keygen server-no-digsig ec256
issue server-no-digsig int-ec localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN" keyEncipherment)"
chain server-no-digsig int-ec

# server-ec-tampered: server-ec.crt with the last byte of the signature value flipped. For
# ECDSA that byte is the low byte of s, so the DER stays well-formed; only the signature
# check fails.
if ! kept server-ec-tampered.crt; then
cp "$out/server-ec.der" "$out/server-ec-tampered.der"
size=$(stat -c %s "$out/server-ec-tampered.der")
last=$(od -An -tu1 -j $((size - 1)) -N1 "$out/server-ec-tampered.der" | tr -d ' ')
# shellcheck disable=SC2059
printf "\\$(printf '%03o' $((last ^ 0x01)))" |
    dd of="$out/server-ec-tampered.der" bs=1 seek=$((size - 1)) conv=notrunc status=none
openssl x509 -inform DER -in "$out/server-ec-tampered.der" -out "$out/server-ec-tampered.crt"
cp "$out/server-ec.key" "$out/server-ec-tampered.key"
cp "$out/server-ec.key.der" "$out/server-ec-tampered.key.der"
fi
chain server-ec-tampered int-ec

# Host-name cases -------------------------------------------------------------------------------
log "host-name cases"
for spec in "server-wildcard|DNS:*.example.com" "server-wildcard-tld|DNS:*.com" \
    "server-wildcard-partial|DNS:f*.example.com" "server-wildcard-inner|DNS:a.*.example.com" \
    "server-ip|IP:127.0.0.1, IP:::1"; do
    name=${spec%%|*}
    san=${spec#*|}
    keygen "$name" ec256
    issue "$name" int-ec "$name" $LONG_START $LONG_END "$(server_ext "$san")"
    chain "$name" int-ec
done

# Chain-structure cases ---------------------------------------------------------------------
log "chain-structure cases"
keygen int-noca ec256
issue int-noca root-ec "TLSCore Test Not-A-CA Intermediate" $LONG_START $LONG_END \
    'basicConstraints = critical, CA:FALSE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always'
keygen server-under-noca ec256
issue server-under-noca int-noca localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN")"
chain server-under-noca int-noca

keygen int-no-certsign ec256
issue int-no-certsign root-ec "TLSCore Test No-CertSign Intermediate" $LONG_START $LONG_END \
    'basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always'
keygen server-under-no-certsign ec256
issue server-under-no-certsign int-no-certsign localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN")"
chain server-under-no-certsign int-no-certsign

keygen int-sub ec256
issue int-sub int-ec "TLSCore Test Sub-Intermediate EC" $LONG_START $LONG_END \
    'basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always'
keygen server-under-sub ec256
issue server-under-sub int-sub localhost $LONG_START $LONG_END "$(server_ext "$LOCALHOST_SAN")"
chain server-under-sub int-sub int-ec

# Name constraints ----------------------------------------------------------------------------------
log "name constraints"
keygen int-nc ec256
issue int-nc root-ec "TLSCore Test Name-Constrained Intermediate" $LONG_START $LONG_END \
    'basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical, permitted;DNS:example.com, excluded;DNS:bad.example.com, permitted;IP:10.0.0.0/255.0.0.0'
# The leaves' CNs contain no dot, so no validator mistakes them for a DNS name.
for spec in "nc-ok|DNS:www.example.com" "nc-excluded|DNS:x.bad.example.com" \
    "nc-outside|DNS:www.other.org" "nc-ip-ok|IP:10.1.2.3" "nc-ip-bad|IP:192.168.1.1"; do
    name=${spec%%|*}
    san=${spec#*|}
    keygen "$name" ec256
    issue "$name" int-nc "$name" $LONG_START $LONG_END "$(server_ext "$san")"
    chain "$name" int-nc
done

# More client leaves ----------------------------------------------------------------------------------
# For a server's client-authentication tests. They come last (after every other certificate),
# so that adding them gave no existing fixture a new serial number (scripts/make-test-pki.sh
# --keep added them without re-keying the rest).
log "more client leaves"
keygen client-expired ec256
issue client-expired int-ec device-5 000101000000Z 010101000000Z "$CLIENT_EXT"
chain client-expired int-ec

keygen client-serverauth-only ec256
issue client-serverauth-only int-ec device-6 $LONG_START $LONG_END "$(server_ext "" digitalSignature serverAuth)"
chain client-serverauth-only int-ec

keygen client-no-digsig ec256
issue client-no-digsig int-ec device-7 $LONG_START $LONG_END "$(server_ext "" keyAgreement clientAuth)"
chain client-no-digsig int-ec

# CRLs ------------------------------------------------------------------------------------------------
log "CRLs"
: >"$work/db/empty.index"
revoke client-ec-revoked int-ec
revoke server-ec-revoked int-ec
gencrl int-ec "$out/int-ec.crt" "$out/int-ec.key" "$work/db/int-ec.index" $LONG_START $LONG_END
gencrl int-ec-expired "$out/int-ec.crt" "$out/int-ec.key" "$work/db/empty.index" $LONG_START 210101000000Z
gencrl root-ec "$out/root-ec.crt" "$out/root-ec.key" "$work/db/empty.index" $LONG_START $LONG_END
gencrl int-rsa "$out/int-rsa.crt" "$out/int-rsa.key" "$work/db/empty.index" $LONG_START $LONG_END

# int-ec-wrongkey.crl: issued by a throwaway CA with int-ec's subject DN and even int-ec's
# subject key identifier (so the CRL's issuer name and authority key identifier both match
# int-ec), but a different key: only the signature check can catch it.
if ! kept int-ec-wrongkey.crl; then
int_ec_skid=$(openssl x509 -in "$out/int-ec.crt" -noout -ext subjectKeyIdentifier | sed -n '2s/ //gp')
int_ec_subject=$(openssl x509 -in "$out/int-ec.crt" -noout -subject -nameopt compat | sed 's/^subject=//')
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
    -out "$work/wrongkey.key"
openssl req -new -config "$cnf" -key "$work/wrongkey.key" -subj "$int_ec_subject" -out "$work/wrongkey.csr"
printf '[ ext ]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = %s\n' \
    "$int_ec_skid" >"$work/ext/wrongkey.cnf"
PKI_DB="$work/db/wrongkey.index"
: >"$PKI_DB"
PKI_DB=$PKI_DB openssl ca -batch -config "$cnf" -notext -selfsign -keyfile "$work/wrongkey.key" \
    -in "$work/wrongkey.csr" -out "$work/wrongkey.crt" -startdate $LONG_START -enddate $LONG_END \
    -extfile "$work/ext/wrongkey.cnf" -extensions ext 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
gencrl int-ec-wrongkey "$work/wrongkey.crt" "$work/wrongkey.key" "$work/db/empty.index" $LONG_START $LONG_END
fi

# Bundles ---------------------------------------------------------------------------------------------
# int-ec.crl comes first: `openssl s_server -CRL FILE` loads only the first CRL in FILE, and
# for -crl_check (leaf only) int-ec.crl is the one it needs. See README.md.
cat "$out/int-ec.crl" "$out/root-ec.crl" >"$out/crl-bundle.pem"
cat "$out/root-ec.crt" "$out/root-rsa.crt" >"$out/ca-bundle.pem"

# README -----------------------------------------------------------------------------------------------
cat >"$out/README.md" <<'EOF'
# Test PKI

Generated by `scripts/make-test-pki.sh`; do not edit by hand. To regenerate, run
`scripts/make-test-pki.sh` from the repository root: it deletes and rewrites this folder, then
checks every outcome below with `openssl verify -attime` and fails if one differs. Keys are
fresh on every run; names, dates, extensions and serial numbers stay the same. With `--keep`
it deletes nothing and generates only the fixtures that are missing: existing keys,
certificates and CRLs keep their bytes (the fuzz seeds, the recorded flights and session
regions in `Fuzz/flights`, and the sizes in BENCHMARKS.md embed them), and new ones get the
serial numbers a full run would give them.

- **Validation time:** 2030-01-01T00:00:00Z (unix 1893456000).
- **Host name:** `localhost`, unless a row says otherwise.
- **Trust anchors:** `root-ec` and `root-rsa` (`ca-bundle.pem`). `other-root-ec` is trusted by nobody.
- **Long-lived:** notBefore 2020-01-01T00:00:00Z (UTCTime), notAfter 2099-12-31T23:59:59Z
  (GeneralizedTime). Everything is long-lived unless a row says otherwise.

Per fixture `NAME`: `NAME.crt` certificate (PEM), `NAME.der` certificate (DER), `NAME.key`
private key (unencrypted PKCS#8 PEM), `NAME.key.der` the same key (PKCS#8 DER), and for leaves
`NAME.chain.pem` = the leaf followed by its issuer(s), without the trusted root. CRLs are
`NAME.crl` (PEM) and `NAME.crl.der` (DER). Serial numbers, dates and algorithms of every
certificate are listed at the end.

## CAs

| File | What it is | Validator outcome at 2030-01-01 |
|---|---|---|
| `root-ec` | P-256 self-signed root; CA:TRUE (critical), keyUsage keyCertSign+cRLSign (critical) | trust anchor |
| `root-rsa` | RSA-2048 self-signed root, same extensions | trust anchor |
| `other-root-ec` | P-256 self-signed root that nobody trusts | not trusted |
| `int-ec` | P-256 intermediate by root-ec, ecdsa-with-SHA256; CA:TRUE pathlen:0 (critical), keyUsage keyCertSign+cRLSign (critical) | valid CA |
| `int-ec384` | P-384 intermediate by root-ec, ecdsa-with-SHA384, same extensions | valid CA |
| `int-rsa` | RSA-2048 intermediate by root-rsa, sha256WithRSAEncryption, same extensions | valid CA |
| `int-noca` | P-256 by root-ec with basicConstraints CA:FALSE (critical) but keyUsage keyCertSign+cRLSign | not a CA |
| `int-no-certsign` | P-256 by root-ec, CA:TRUE pathlen:0 but keyUsage digitalSignature only | not allowed to sign certificates |
| `int-sub` | P-256 CA (CA:TRUE, no pathlen) issued by int-ec, whose pathlen:0 forbids it | path length exceeded |
| `int-nc` | P-256 by root-ec, CA:TRUE pathlen:0, critical nameConstraints: permitted DNS:example.com, excluded DNS:bad.example.com, permitted IP:10.0.0.0/255.0.0.0 | valid CA |

## Leaves

Server leaves: CA:FALSE, keyUsage digitalSignature (critical; RSA keys also keyEncipherment),
EKU serverAuth, SAN DNS:localhost + IP:127.0.0.1, subject CN=localhost, unless the row says
otherwise. Client leaves: EKU clientAuth, keyUsage digitalSignature, CN=device-N, no SAN.

| File | What it is | Validator outcome at 2030-01-01 (host `localhost`) |
|---|---|---|
| `server-ec` | P-256 by int-ec | valid (also with int-ec.crl and root-ec.crl checked) |
| `server-ec384` | P-384 by int-ec384, ecdsa-with-SHA384 | valid |
| `server-rsa` | RSA-2048 by int-rsa, sha256WithRSAEncryption | valid (also with int-rsa.crl) |
| `server-rsa-pss` | RSA-2048 (rsaEncryption key) by int-rsa, signature RSASSA-PSS SHA-256, MGF1-SHA-256, salt 32 | valid |
| `server-rsa-sha512` | RSA-2048 by int-rsa, sha512WithRSAEncryption | valid |
| `server-sha1` | RSA-2048 by int-rsa, sha1WithRSAEncryption | invalid, weak signature algorithm (SHA-1). OpenSSL: OK at `-auth_level 0`, "CA signature digest algorithm too weak" at level 1 (the TLS default) |
| `server-ec-revoked` | P-256 by int-ec, listed in int-ec.crl | invalid, revoked (when int-ec.crl is checked; valid without revocation checking) |
| `client-ec` | P-256 by int-ec, CN=device-1 | valid client (clientAuth) |
| `client-rsa` | RSA-2048 by int-rsa, CN=device-2 | valid client |
| `client-ec-revoked` | P-256 by int-ec, CN=device-3, listed in int-ec.crl | invalid, revoked (with int-ec.crl) |
| `client-unknown` | P-256 by other-root-ec, CN=device-4; chain.pem = leaf + other-root-ec | invalid, unknown CA |
| `client-expired` | P-256 by int-ec, CN=device-5, valid 2000-01-01 .. 2001-01-01 | invalid, expired |
| `client-serverauth-only` | P-256 by int-ec, CN=device-6, EKU serverAuth only | invalid client, EKU lacks clientAuth (wrong purpose) |
| `client-no-digsig` | P-256 by int-ec, CN=device-7, keyUsage keyAgreement only (critical) | invalid client, keyUsage lacks digitalSignature (cannot sign CertificateVerify). OpenSSL verify accepts (its sslclient purpose allows keyAgreement) |
| `server-expired` | by int-ec, valid 2000-01-01 .. 2001-01-01 | invalid, expired |
| `server-notyet` | by int-ec, valid 2090-01-01 .. 2095-01-01 | invalid, not yet valid |
| `server-wrongname` | by int-ec, SAN DNS:other.example only | invalid, name mismatch (valid for `other.example`) |
| `server-cn-only` | by int-ec, no SAN at all, CN=localhost | invalid, no subjectAltName (no CN fallback). OpenSSL falls back to the CN and accepts |
| `server-unknown-ca` | by other-root-ec; chain.pem = leaf + other-root-ec | invalid, unknown CA |
| `server-clientauth-only` | by int-ec, EKU clientAuth only | invalid, EKU lacks serverAuth |
| `server-unknown-critical` | by int-ec, extra critical extension 1.3.6.1.4.1.55555.1 = UTF8String "x" | invalid, unknown critical extension |
| `server-ec-tampered` | server-ec.crt with the last byte of the signature value flipped (same key, same serial as server-ec; the `.key` files are copies) | invalid, bad signature |
| `server-no-digsig` | P-256 by int-ec, keyUsage keyEncipherment only | invalid, keyUsage lacks digitalSignature (needed for ECDHE / TLS 1.3 signatures). OpenSSL verify accepts (its sslserver purpose allows keyEncipherment) |
| `server-wildcard` | by int-ec, SAN DNS:*.example.com | invalid for `localhost` (name mismatch); valid for `www.example.com`; invalid for `example.com` and `a.b.example.com` |
| `server-wildcard-tld` | by int-ec, SAN DNS:*.com | invalid for every host (wildcard directly over a TLD), e.g. `example.com` |
| `server-wildcard-partial` | by int-ec, SAN DNS:f*.example.com | invalid for `localhost`; for `foo.example.com` reject (RFC 9525 allows `*` only as the whole left-most label). OpenSSL accepts `foo.example.com` by default |
| `server-wildcard-inner` | by int-ec, SAN DNS:a.*.example.com | invalid for every host, e.g. `a.b.example.com` |
| `server-ip` | by int-ec, SAN IP:127.0.0.1 and IP:::1 only, CN=server-ip | invalid for `localhost`; valid for IP 127.0.0.1 and ::1 |
| `server-under-noca` | by int-noca; chain.pem = leaf + int-noca | invalid, issuer is not a CA |
| `server-under-no-certsign` | by int-no-certsign; chain.pem = leaf + int-no-certsign | invalid, issuer's keyUsage lacks keyCertSign |
| `server-under-sub` | by int-sub; chain.pem = leaf + int-sub + int-ec | invalid, path length exceeded |
| `nc-ok` | by int-nc, SAN DNS:www.example.com, CN=nc-ok | valid for `www.example.com` (name mismatch for `localhost`) |
| `nc-excluded` | by int-nc, SAN DNS:x.bad.example.com | invalid, excluded by name constraints |
| `nc-outside` | by int-nc, SAN DNS:www.other.org | invalid, outside permitted name constraints |
| `nc-ip-ok` | by int-nc, SAN IP:10.1.2.3 | valid for IP 10.1.2.3 |
| `nc-ip-bad` | by int-nc, SAN IP:192.168.1.1 | invalid, IP outside permitted name constraints |

## CRLs and bundles

All CRLs are v2 with authorityKeyIdentifier and cRLNumber extensions; thisUpdate 2020-01-01T00:00:00Z.

| File | What it is | Validator outcome at 2030-01-01 |
|---|---|---|
| `int-ec.crl` | by int-ec, nextUpdate 2099-12-31; revokes client-ec-revoked and server-ec-revoked (keyCompromise, revocationDate 2020-01-01) | valid CRL |
| `int-ec-expired.crl` | by int-ec, empty, nextUpdate 2021-01-01 | invalid, CRL expired |
| `int-ec-wrongkey.crl` | empty, long-lived; issuer name and authorityKeyIdentifier equal int-ec's, but signed by a different key | invalid, CRL signature failure |
| `root-ec.crl` | by root-ec, empty, long-lived | valid CRL |
| `int-rsa.crl` | by int-rsa, empty, long-lived | valid CRL |
| `crl-bundle.pem` | int-ec.crl followed by root-ec.crl | |
| `ca-bundle.pem` | root-ec followed by root-rsa: the trusted roots | |

## Using the fixtures with OpenSSL and GnuTLS servers

- `gnutls-serv --x509certfile NAME.chain.pem --x509keyfile NAME.key` sends the whole chain.
- `openssl s_server -cert` reads only the first certificate of its file. Use
  `openssl s_server -cert NAME.crt -key NAME.key -cert_chain ISSUER.crt` (for
  server-under-sub the issuers are int-sub and int-ec). Passing `NAME.chain.pem` to
  `-cert_chain` as well works but sends the leaf twice.
- `openssl s_server -CRL FILE` loads only the first CRL in FILE. With `-crl_check` (leaf only)
  the client's issuer CRL is all that is needed, so `-CRL crl-bundle.pem -crl_check` works for
  client-ec / client-ec-revoked. `-crl_check_all` also needs root-ec.crl, which `-CRL` cannot
  supply; put the CRLs into the CA file instead:
  `cat ca-bundle.pem crl-bundle.pem > ca+crl.pem` and `-CAfile ca+crl.pem -crl_check_all`.
- `openssl verify -CRLfile crl-bundle.pem` reads both CRLs.

## Certificate details

| File | Serial | Subject CN | Issuer CN | Key | Signature | notBefore | notAfter |
|---|---|---|---|---|---|---|---|
EOF
for f in "$out"/*.crt; do
    name=$(basename "$f" .crt)
    text=$(openssl x509 -in "$f" -noout -text)
    serial=$(openssl x509 -in "$f" -noout -serial | sed 's/^serial=//')
    subject_cn=$(openssl x509 -in "$f" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
    issuer_cn=$(openssl x509 -in "$f" -noout -issuer -nameopt multiline | sed -n 's/^ *commonName *= //p')
    sig=$(sed -n 's/^ *Signature Algorithm: //p' <<<"$text" | head -n 1 | sed 's/ *$//')
    bits=$(sed -n 's/^ *Public-Key: (\([0-9]*\) bit)/\1/p' <<<"$text")
    case $(sed -n 's/^ *Public Key Algorithm: //p' <<<"$text") in
        id-ecPublicKey) key="EC $(sed -n 's/^ *NIST CURVE: //p' <<<"$text")" ;;
        rsaEncryption) key="RSA-$bits" ;;
        *) key=unknown ;;
    esac
    not_before=$(openssl x509 -in "$f" -noout -startdate -dateopt iso_8601 | sed 's/^notBefore=//')
    not_after=$(openssl x509 -in "$f" -noout -enddate -dateopt iso_8601 | sed 's/^notAfter=//')
    printf '| `%s` | 0x%s | %s | %s | %s | %s | %s | %s |\n' "$name" "$serial" "$subject_cn" \
        "$issuer_cn" "$key" "$sig" "$not_before" "$not_after" >>"$out/README.md"
done

# Self-check ------------------------------------------------------------------------------------------
if [ "$check" -eq 0 ]; then
    log "done (no self-check)"
    exit 0
fi

failures=0
# expect NAME EXPECTED ROOT UNTRUSTED [extra openssl verify args...]
# EXPECTED is "OK" or the exact OpenSSL error text (e.g. "certificate has expired").
# UNTRUSTED is a space-separated list of intermediate fixture names ("" = none).
expect() {
    local name=$1 want=$2 root=$3 untrusted=$4
    shift 4
    local args=(-attime "$VALIDATION_TIME" -CAfile "$out/$root.crt")
    local u
    for u in $untrusted; do args+=(-untrusted "$out/$u.crt"); done
    local output got
    output=$(openssl verify "${args[@]}" "$@" "$out/$name.crt" 2>&1) || true
    if grep -q ': OK$' <<<"$output"; then
        got=OK
    else
        got=$(sed -n 's/^error [0-9]* at [0-9]* depth lookup: //p' <<<"$output" | head -n 1)
        [ -n "$got" ] || got="(unparsed) $(head -n 1 <<<"$output")"
    fi
    if [ "$got" = "$want" ]; then
        printf '  ok    %-26s %s\n' "$name" "$got"
    else
        printf '  FAIL  %-26s want [%s] got [%s]\n' "$name" "$want" "$got"
        failures=$((failures + 1))
    fi
}

S=(-purpose sslserver -verify_hostname localhost)
C=(-purpose sslclient)
CRL=(-crl_check -CRLfile "$out/int-ec.crl")
CRLALL=(-crl_check_all -CRLfile "$out/root-ec.crl" -CRLfile "$out/int-ec.crl")

log "self-check (openssl verify -attime $VALIDATION_TIME)"
expect server-ec OK root-ec int-ec "${S[@]}" -x509_strict "${CRLALL[@]}"
expect server-ec384 OK root-ec int-ec384 "${S[@]}" -x509_strict
expect server-rsa OK root-rsa int-rsa "${S[@]}" -x509_strict -crl_check -CRLfile "$out/int-rsa.crl"
expect server-rsa-pss OK root-rsa int-rsa "${S[@]}" -x509_strict
expect server-rsa-sha512 OK root-rsa int-rsa "${S[@]}" -x509_strict
expect server-sha1 OK root-rsa int-rsa "${S[@]}" -auth_level 0
expect server-sha1 "CA signature digest algorithm too weak" root-rsa int-rsa "${S[@]}" -auth_level 1
expect server-ec-revoked OK root-ec int-ec "${S[@]}"
expect server-ec-revoked "certificate revoked" root-ec int-ec "${S[@]}" "${CRL[@]}"
expect server-ec-revoked "certificate revoked" root-ec int-ec "${S[@]}" "${CRLALL[@]}"
expect client-ec OK root-ec int-ec "${C[@]}" -x509_strict "${CRLALL[@]}"
expect client-rsa OK root-rsa int-rsa "${C[@]}" -x509_strict
expect client-ec-revoked "certificate revoked" root-ec int-ec "${C[@]}" "${CRL[@]}"
expect client-unknown "unable to get local issuer certificate" root-ec "" "${C[@]}"
expect client-unknown "self-signed certificate in certificate chain" root-ec other-root-ec "${C[@]}"
expect client-expired "certificate has expired" root-ec int-ec "${C[@]}"
expect client-serverauth-only "unsuitable certificate purpose" root-ec int-ec "${C[@]}"
expect client-serverauth-only OK root-ec int-ec -purpose sslserver
expect client-no-digsig OK root-ec int-ec "${C[@]}" -x509_strict
expect server-expired "certificate has expired" root-ec int-ec "${S[@]}"
expect server-notyet "certificate is not yet valid" root-ec int-ec "${S[@]}"
expect server-wrongname "hostname mismatch" root-ec int-ec "${S[@]}"
expect server-wrongname OK root-ec int-ec -purpose sslserver -verify_hostname other.example
expect server-cn-only OK root-ec int-ec -purpose sslserver
expect server-unknown-ca "self-signed certificate in certificate chain" root-ec other-root-ec "${S[@]}"
expect server-clientauth-only "unsuitable certificate purpose" root-ec int-ec "${S[@]}"
expect server-unknown-critical "unhandled critical extension" root-ec int-ec "${S[@]}"
expect server-ec-tampered "certificate signature failure" root-ec int-ec "${S[@]}"
expect server-no-digsig OK root-ec int-ec "${S[@]}"
expect server-wildcard OK root-ec int-ec -purpose sslserver -verify_hostname www.example.com
expect server-wildcard "hostname mismatch" root-ec int-ec "${S[@]}"
expect server-wildcard "hostname mismatch" root-ec int-ec -purpose sslserver -verify_hostname a.b.example.com
expect server-wildcard-tld "hostname mismatch" root-ec int-ec -purpose sslserver -verify_hostname example.com
expect server-wildcard-partial OK root-ec int-ec -purpose sslserver -verify_hostname foo.example.com
expect server-wildcard-inner "hostname mismatch" root-ec int-ec -purpose sslserver -verify_hostname a.b.example.com
expect server-ip OK root-ec int-ec -purpose sslserver -verify_ip 127.0.0.1
expect server-ip OK root-ec int-ec -purpose sslserver -verify_ip ::1
expect server-ip "hostname mismatch" root-ec int-ec "${S[@]}"
expect server-under-noca "invalid CA certificate" root-ec int-noca "${S[@]}"
expect server-under-no-certsign "invalid CA certificate" root-ec int-no-certsign "${S[@]}"
expect server-under-sub "path length constraint exceeded" root-ec "int-sub int-ec" "${S[@]}"
expect nc-ok OK root-ec int-nc -purpose sslserver -verify_hostname www.example.com -x509_strict
expect nc-excluded "excluded subtree violation" root-ec int-nc -purpose sslserver
expect nc-outside "permitted subtree violation" root-ec int-nc -purpose sslserver
expect nc-ip-ok OK root-ec int-nc -purpose sslserver -verify_ip 10.1.2.3
expect nc-ip-bad "permitted subtree violation" root-ec int-nc -purpose sslserver
expect client-ec-revoked "certificate revoked" root-ec int-ec "${C[@]}" -crl_check_all -CRLfile "$out/crl-bundle.pem"
expect server-ec "CRL has expired" root-ec int-ec "${S[@]}" -crl_check -CRLfile "$out/int-ec-expired.crl"
expect server-ec "CRL signature failure" root-ec int-ec "${S[@]}" -crl_check -CRLfile "$out/int-ec-wrongkey.crl"
expect server-ec "unable to get certificate CRL" root-ec int-ec "${S[@]}" -crl_check_all -CRLfile "$out/int-ec.crl"

if [ "$failures" -ne 0 ]; then
    log "$failures self-check(s) failed"
    exit 1
fi
log "done: $(find "$out" -type f | wc -l) files in ${out#"$repo"/}"
