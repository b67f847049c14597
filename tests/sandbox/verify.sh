#!/usr/bin/env bash
# Checks that a running sandbox (tests/sandbox/sandbox.sh start) behaves as the tests expect:
#   - the daemon pulls the stand-in from the plain registry; labels/env are as documented;
#   - a container run with ARK_SHUTDOWN_SAVE_SECONDS=2 and stopped with `docker stop -t 10`
#     writes a final save (FINAL-SAVE-MARKER) and logs "World Save Complete";
#   - with the default 15 s shutdown save, `docker stop -t 10` cuts the save off (SIGKILL);
#   - busybox in the image answers `docker exec <c> /bin/sh -c ...` (healthchecks);
#   - :broken exits 1;
#   - the auth registry answers 401 + Www-Authenticate: Bearer realm=... and accepts an RS256 JWT
#     signed with token/key.pem carrying token/cert.pem as x5c;
#   - v1 and v2 digests differ and latest == v1.
# Leaves no container, image or temp dir behind. Usage: bash tests/sandbox/verify.sh [--quick]
# (--quick skips the 10 s "default save is cut off" check).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
quick=0
[[ ${1:-} == --quick ]] && quick=1

eval "$(bash "$SCRIPT_DIR/sandbox.sh" env)"
bash "$SCRIPT_DIR/sandbox.sh" status >/dev/null || { echo "verify: sandbox is not up" >&2; exit 1; }

cli=/usr/bin/docker
[[ -x $cli ]] || cli="$(command -v docker)"
dk() { DOCKER_CONFIG="$ARKMANAGER_SANDBOX_DIR/docker-config" "$cli" -H "$ARKMANAGER_SANDBOX_DOCKER_HOST" "$@"; }

passed=0 failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

tag="verify-$$"
work="$(mktemp -d /tmp/ark-verify.XXXXXX)"
containers=()
cleanup() {
    local c
    for c in "${containers[@]}"; do dk rm -f "$c" >/dev/null 2>&1 || true; done
    for c in v1 broken; do
        local var="ARKMANAGER_SANDBOX_IMAGE_${c^^}"
        dk rmi "${!var}" >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# wait_for_line <file> <line> <seconds>
wait_for_line() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -Fx -- "$2" "$1" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# ---- pull + image metadata
dk pull -q "$ARKMANAGER_SANDBOX_IMAGE_V1" >/dev/null
ok "pull $ARKMANAGER_SANDBOX_IMAGE_V1"
check "label org.opencontainers.image.version=v1" \
    test "$(dk image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$ARKMANAGER_SANDBOX_IMAGE_V1")" = v1
check "label io.arkmanager.fixture=ase-server" \
    test "$(dk image inspect -f '{{index .Config.Labels "io.arkmanager.fixture"}}' "$ARKMANAGER_SANDBOX_IMAGE_V1")" = ase-server
check "env ARK_IMAGE_VARIANT=v1 and PATH=/bin" \
    test "$(dk image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$ARKMANAGER_SANDBOX_IMAGE_V1" | grep -E '^(ARK_IMAGE_VARIANT|PATH)=' | sort | tr '\n' ' ')" \
    = 'ARK_IMAGE_VARIANT=v1 PATH=/bin '
check "entrypoint /ark/server, stop signal SIGTERM, workdir /ark" \
    test "$(dk image inspect -f '{{json .Config.Entrypoint}} {{.Config.StopSignal}} {{.Config.WorkingDir}}' "$ARKMANAGER_SANDBOX_IMAGE_V1")" \
    = '["/ark/server"] SIGTERM /ark'

# ---- graceful stop with a short save
mkdir -p "$work/saves1"
c1="ark-$tag-graceful"
dk run --rm --name "$c1" --network none -v "$work/saves1:/ark/ShooterGame/Saved/SavedArks" \
    -e ARK_STARTUP_DELAY=1 -e ARK_SAVE_INTERVAL=1 -e ARK_SHUTDOWN_SAVE_SECONDS=2 \
    "$ARKMANAGER_SANDBOX_IMAGE_V1" > "$work/c1.log" 2>&1 &
run_pid=$!
containers+=("$c1")
check "startup line within 15 s" wait_for_line "$work/c1.log" "Server has completed startup and is now advertising for join." 15
sleep 1.5
check "autosave file written while running" grep -qx 'variant=v1' "$work/saves1/TheIsland.ark"
check "busybox in the image: docker exec /bin/sh -c 'test -f ... && cat ...'" \
    bash -c "DOCKER_CONFIG='$ARKMANAGER_SANDBOX_DIR/docker-config' '$cli' -H '$ARKMANAGER_SANDBOX_DOCKER_HOST' exec '$c1' /bin/sh -c 'test -f /ark/ShooterGame/Saved/SavedArks/TheIsland.ark && cat /ark/ShooterGame/Saved/SavedArks/TheIsland.ark | grep -q variant=v1 && ls /ark/server >/dev/null && sleep 0'"
t0=$SECONDS
dk stop -t 10 "$c1" >/dev/null
wait "$run_pid" && rc=0 || rc=$?
check "graceful stop: container exit code 0 (got $rc, $((SECONDS - t0)) s)" test "$rc" -eq 0
check "graceful stop: log has 'Saving world...'" grep -qx 'Saving world...' "$work/c1.log"
check "graceful stop: log has 'World Save Complete'" grep -qx 'World Save Complete' "$work/c1.log"
check "graceful stop: save has FINAL-SAVE-MARKER" grep -qx 'FINAL-SAVE-MARKER' "$work/saves1/TheIsland.ark"
check "no temp save files left" test -z "$(find "$work/saves1" -name '*.tmp*')"

# ---- default 15 s save is cut off by a 10 s stop
if ((quick == 0)); then
    mkdir -p "$work/saves2"
    c2="ark-$tag-cutoff"
    dk run -d --name "$c2" --network none -v "$work/saves2:/ark/ShooterGame/Saved/SavedArks" \
        -e ARK_STARTUP_DELAY=0 "$ARKMANAGER_SANDBOX_IMAGE_V1" >/dev/null
    containers+=("$c2")
    sleep 1
    dk stop -t 10 "$c2" >/dev/null
    code="$(dk inspect -f '{{.State.ExitCode}}' "$c2")"
    dk logs "$c2" > "$work/c2.log" 2>&1
    check "default 15 s save vs stop -t 10: killed (exit $code = 137)" test "$code" = 137
    check "default 15 s save vs stop -t 10: no 'World Save Complete'" bash -c "! grep -qx 'World Save Complete' '$work/c2.log'"
    check "default 15 s save vs stop -t 10: no FINAL-SAVE-MARKER" bash -c "! grep -qsx FINAL-SAVE-MARKER '$work/saves2/TheIsland.ark'"
    dk rm -f "$c2" >/dev/null
fi

# ---- broken exits 1
c3="ark-$tag-broken"
containers+=("$c3")
dk run --rm --name "$c3" --network none "$ARKMANAGER_SANDBOX_IMAGE_BROKEN" > "$work/c3.log" 2>&1 && rc=0 || rc=$?
check "broken: exit code 1 (got $rc)" test "$rc" -eq 1
check "broken: says it is broken" grep -q 'intentionally broken' "$work/c3.log"

# ---- digests (plain registry)
accept="application/vnd.docker.distribution.manifest.v2+json"
digest() {
    curl -s -I -H "Accept: $accept" "http://$1/v2/$ARKMANAGER_SANDBOX_REPOSITORY/manifests/$2" "${@:3}" \
        | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}
d1="$(digest "$ARKMANAGER_SANDBOX_REGISTRY" v1)"
d2="$(digest "$ARKMANAGER_SANDBOX_REGISTRY" v2)"
dl="$(digest "$ARKMANAGER_SANDBOX_REGISTRY" latest)"
check "v1 and v2 digests differ ($d1 / $d2)" test -n "$d1" -a -n "$d2" -a "$d1" != "$d2"
check "latest = v1" test "$dl" = "$d1"
check "sandbox.env digests match the registry" test "$d1" = "$ARKMANAGER_SANDBOX_DIGEST_V1" -a "$d2" = "$ARKMANAGER_SANDBOX_DIGEST_V2"

# ---- auth registry: 401 challenge
curl -s -I -H "Accept: $accept" \
    "http://$ARKMANAGER_SANDBOX_AUTH_REGISTRY/v2/$ARKMANAGER_SANDBOX_REPOSITORY/manifests/latest" | tr -d '\r' > "$work/h401"
check "auth registry: HEAD manifest -> 401" grep -q '^HTTP/1.1 401' "$work/h401"
expected="Www-Authenticate: Bearer realm=\"$ARKMANAGER_SANDBOX_TOKEN_REALM\",service=\"$ARKMANAGER_SANDBOX_TOKEN_SERVICE\",scope=\"repository:$ARKMANAGER_SANDBOX_REPOSITORY:pull\""
check "auth registry: $expected" grep -qiFx "$expected" "$work/h401"

# ---- auth registry accepts a JWT signed with token/key.pem (x5c = token/cert.pem)
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now="$(date +%s)"
x5c="$(openssl x509 -in "$ARKMANAGER_SANDBOX_TOKEN_CERT" -outform DER | openssl base64 -A)"
header="$(printf '{"alg":"RS256","typ":"JWT","x5c":["%s"]}' "$x5c" | b64url)"
claims="$(printf '{"iss":"%s","sub":"verify","aud":"%s","iat":%d,"nbf":%d,"exp":%d,"jti":"%s","access":[{"type":"repository","name":"%s","actions":["pull"]}]}' \
    "$ARKMANAGER_SANDBOX_TOKEN_ISSUER" "$ARKMANAGER_SANDBOX_TOKEN_SERVICE" "$now" "$((now - 10))" "$((now + 300))" "$tag" \
    "$ARKMANAGER_SANDBOX_REPOSITORY" | b64url)"
sig="$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -sign "$ARKMANAGER_SANDBOX_TOKEN_KEY" -binary | b64url)"
jwt="$header.$claims.$sig"
da="$(digest "$ARKMANAGER_SANDBOX_AUTH_REGISTRY" latest -H "Authorization: Bearer $jwt")"
check "auth registry: bearer JWT (x5c) -> same digest as the plain registry ($da)" test -n "$da" -a "$da" = "$d1"

echo "verify: $passed passed, $failed failed"
((failed == 0))
