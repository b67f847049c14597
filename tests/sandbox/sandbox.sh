#!/usr/bin/env bash
# Sandbox engine for ArkManager.Images integration tests.
#
#   bash tests/sandbox/sandbox.sh start          start (or reuse) everything, print a summary
#   bash tests/sandbox/sandbox.sh stop [--purge] stop all processes (--purge: also delete the state dir)
#   bash tests/sandbox/sandbox.sh status         exit 0 when dockerd and both registries are up
#   bash tests/sandbox/sandbox.sh env            print sandbox.env: eval "$(bash tests/sandbox/sandbox.sh env)"
#
# What `start` provides (all state under ${ARKMANAGER_SANDBOX_DIR:-/tmp/arkmgr-sandbox}):
#   - a private dockerd (Debian docker.io 20.10, Engine API 1.41) on unix://$DIR/docker.sock,
#     started with --bridge=none: containers use --network none, host or a user-defined network;
#   - a plain docker-registry 2.8 on a free 127.0.0.1 port (request log in $DIR/registry.log);
#   - a second registry over the SAME storage that asks for a bearer token like Docker Hub
#     (auth: token, realm http://127.0.0.1:<token-port>/token). The token service is not run
#     here: tests listen on the token port and sign RS256 JWTs with $DIR/token/key.pem, putting
#     $DIR/token/cert.pem in the JWT header (x5c);
#   - the ARK stand-in images (tests/fixtures/ark-stand-in) pushed as <registry>/tbro98/ase-server
#     :v1 :v2 :broken :hang :unhealthy and :latest (= v1), then removed from the daemon, so the daemon starts like
#     a fresh admin host without the image. Build contexts stay in $DIR/build/<variant>/.
# Endpoints are written to $DIR/sandbox.json and $DIR/sandbox.env. Ports are picked at start
# (the previous ones are kept when still free): never hard-code them elsewhere.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
FIXTURE_DIR="$REPO_ROOT/tests/fixtures/ark-stand-in"

DIR="$(realpath -m "${ARKMANAGER_SANDBOX_DIR:-/tmp/arkmgr-sandbox}")"
SOCK="$DIR/docker.sock"
DOCKER_HOST_URI="unix://$SOCK"
DOCKERD_PID="$DIR/docker.pid"
REGISTRY_PID="$DIR/registry.pid"
AUTH_REGISTRY_PID="$DIR/auth-registry.pid"
REGISTRY_CONF="$DIR/registry.yml"
AUTH_REGISTRY_CONF="$DIR/auth-registry.yml"
REGISTRY_LOG="$DIR/registry.log"
AUTH_REGISTRY_LOG="$DIR/auth-registry.log"
DOCKERD_LOG="$DIR/dockerd.log"
REGISTRY_DATA="$DIR/registry-data"
PORTS_FILE="$DIR/ports.env"
TOKEN_DIR="$DIR/token"
TOKEN_CERT="$TOKEN_DIR/cert.pem"
TOKEN_KEY="$TOKEN_DIR/key.pem"
TOKEN_SERVICE="sandbox-registry"
TOKEN_ISSUER="sandbox-issuer"
BUILD_DIR="$DIR/build"
FIXTURE_HASH_FILE="$BUILD_DIR/fixture.sha256"
FIXTURE_DIGESTS_FILE="$BUILD_DIR/fixture-digests.env"
SANDBOX_JSON="$DIR/sandbox.json"
SANDBOX_ENV="$DIR/sandbox.env"
MARKER="$DIR/.arkmanager-sandbox"
REPOSITORY="tbro98/ase-server"
VARIANTS=(v1 v2 broken hang unhealthy)
MANIFEST_V2="application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_ACCEPT="$MANIFEST_V2, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json"

REGISTRY_PORT=""
AUTH_REGISTRY_PORT=""
TOKEN_PORT=""

log() { echo "sandbox: $*" >&2; }
die() { echo "sandbox: ERROR: $*" >&2; exit 1; }

usage() {
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- packages

# Installs the Debian packages behind any missing binary (as root only).
ensure_packages() {
    local -a pkgs=()
    command -v dockerd >/dev/null 2>&1 || pkgs+=(docker.io)
    if [[ ! -x /usr/bin/docker ]] && ! command -v docker >/dev/null 2>&1; then pkgs+=(docker.io); fi
    command -v docker-registry >/dev/null 2>&1 || pkgs+=(docker-registry)
    if [[ ! -x /bin/busybox ]] || ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep "install ok installed" >/dev/null; then
        pkgs+=(busybox-static)
    fi
    command -v iptables >/dev/null 2>&1 || pkgs+=(iptables)
    command -v curl >/dev/null 2>&1 || pkgs+=(curl ca-certificates)
    command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
    command -v gcc >/dev/null 2>&1 || pkgs+=(gcc)
    command -v readelf >/dev/null 2>&1 || pkgs+=(binutils)
    command -v flock >/dev/null 2>&1 || pkgs+=(util-linux)
    if ! command -v gcc >/dev/null 2>&1 || [[ "$(gcc -print-file-name=libc.a)" != /* ]]; then pkgs+=(libc6-dev); fi
    ((${#pkgs[@]} == 0)) && return 0

    # de-duplicate
    mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
    [[ $(id -u) -eq 0 ]] || die "missing packages (${pkgs[*]}); run as root so they can be installed"
    log "installing missing packages: ${pkgs[*]}"
    # Keep package scripts from starting system services (a system dockerd or a registry on :5000).
    local policy_created=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        policy_created=1
    fi
    local rc=0
    { DEBIAN_FRONTEND=noninteractive apt-get update -q \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"; } >&2 || rc=$?
    ((policy_created)) && rm -f /usr/sbin/policy-rc.d
    ((rc == 0)) || die "apt-get install ${pkgs[*]} failed (exit $rc)"
}

# The docker CLI: Debian's own client (same 20.10 as the daemon) when present.
docker_cli() {
    local cli=/usr/bin/docker
    [[ -x $cli ]] || cli="$(command -v docker)"
    mkdir -p "$DIR/docker-config"
    DOCKER_CONFIG="$DIR/docker-config" DOCKER_BUILDKIT=0 "$cli" -H "$DOCKER_HOST_URI" "$@"
}

# ---------------------------------------------------------------- processes

# pid_of <pidfile> <cmdline-substring>: prints the pid when that process is alive and is ours.
pid_of() {
    local file="$1" pattern="$2" pid
    [[ -s $file ]] || return 1
    pid="$(tr -dc '0-9' < "$file")"
    [[ -n $pid ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -F -- "$pattern" >/dev/null || return 1
    echo "$pid"
}

docker_ping() {
    [[ -S $SOCK ]] || return 1
    [[ "$(curl -s -m 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null)" == "OK" ]]
}

http_code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$@" 2>/dev/null || true; }

registry_answers() { [[ -n ${1:-} && "$(http_code "http://127.0.0.1:$1/v2/")" == "$2" ]]; }

dockerd_up() { pid_of "$DOCKERD_PID" "$SOCK" >/dev/null && docker_ping; }
registry_up() { pid_of "$REGISTRY_PID" "$REGISTRY_CONF" >/dev/null && registry_answers "$REGISTRY_PORT" 200; }
auth_registry_up() { pid_of "$AUTH_REGISTRY_PID" "$AUTH_REGISTRY_CONF" >/dev/null && registry_answers "$AUTH_REGISTRY_PORT" 401; }

# stop_process <name> <pidfile> <cmdline-substring>: SIGTERM, wait up to 30 s, SIGKILL the same pid.
stop_process() {
    local name="$1" file="$2" pattern="$3" pid i
    if ! pid="$(pid_of "$file" "$pattern")"; then
        [[ -e $file ]] && log "$name: not running (removing stale pid file)"
        rm -f "$file"
        return 0
    fi
    log "$name: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name: still alive after 30 s, sending SIGKILL to pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$file"
}

# ---------------------------------------------------------------- ports

load_ports() {
    REGISTRY_PORT="" AUTH_REGISTRY_PORT="" TOKEN_PORT=""
    if [[ -f $PORTS_FILE ]]; then
        local k v
        while IFS='=' read -r k v; do
            [[ $v =~ ^[0-9]+$ ]] || continue
            case "$k" in
                REGISTRY_PORT) REGISTRY_PORT="$v" ;;
                AUTH_REGISTRY_PORT) AUTH_REGISTRY_PORT="$v" ;;
                TOKEN_PORT) TOKEN_PORT="$v" ;;
            esac
        done < "$PORTS_FILE"
    fi
}

save_ports() {
    printf 'REGISTRY_PORT=%s\nAUTH_REGISTRY_PORT=%s\nTOKEN_PORT=%s\n' \
        "$REGISTRY_PORT" "$AUTH_REGISTRY_PORT" "$TOKEN_PORT" > "$PORTS_FILE.tmp"
    mv -f "$PORTS_FILE.tmp" "$PORTS_FILE"
}

# port_free <port>: nothing listens on / is bound to 127.0.0.1:<port>.
port_free() {
    local p="$1"
    [[ -n $p ]] || return 1
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$p" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# like Go's net.Listen (the registry): TIME_WAIT leftovers do not make a port busy
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
    else
        ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
    fi
}

# new_port <exclude...>: prints a free loopback port not in the exclusion list.
new_port() {
    local p i
    for ((i = 0; i < 50; i++)); do
        if command -v python3 >/dev/null 2>&1; then
            p="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
        else
            p=$((20000 + RANDOM % 12000))
            port_free "$p" || continue
        fi
        if [[ " $* " != *" $p "* ]]; then
            echo "$p"
            return 0
        fi
    done
    die "could not find a free 127.0.0.1 port"
}

# ---------------------------------------------------------------- dockerd

start_dockerd() {
    if dockerd_up; then
        log "dockerd: reusing pid $(pid_of "$DOCKERD_PID" "$SOCK") on $DOCKER_HOST_URI"
        return 0
    fi
    local pid
    if pid="$(pid_of "$DOCKERD_PID" "$SOCK")"; then
        # alive but not answering: give it a moment (it may be starting), else restart it
        local i
        for ((i = 0; i < 50; i++)); do docker_ping && return 0; sleep 0.2; done
        log "dockerd: pid $pid does not answer /_ping; restarting it"
        stop_process dockerd "$DOCKERD_PID" "$SOCK"
    fi
    stop_stale_containerd
    rm -f "$DOCKERD_PID" "$SOCK"
    mkdir -p "$DIR/data" "$DIR/exec"
    log "dockerd: starting (log: $DOCKERD_LOG)"
    echo "===== $(date -u +%FT%TZ) sandbox.sh start =====" >> "$DOCKERD_LOG"
    setsid dockerd \
        --data-root "$DIR/data" \
        --exec-root "$DIR/exec" \
        -H "$DOCKER_HOST_URI" \
        --pidfile "$DOCKERD_PID" \
        --bridge=none --iptables=false --ip-masq=false \
        >> "$DOCKERD_LOG" 2>&1 < /dev/null 9>&- &
    local launched=$! deadline=$((SECONDS + 60))
    until docker_ping; do
        if ! kill -0 "$launched" 2>/dev/null; then
            tail -n 40 "$DOCKERD_LOG" >&2 || true
            die "dockerd exited during startup (log above: $DOCKERD_LOG)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$DOCKERD_LOG" >&2 || true
            die "dockerd did not answer /_ping within 60 s (log above: $DOCKERD_LOG; pid $launched left running)"
        fi
        sleep 0.2
    done
    log "dockerd: up, pid $(pid_of "$DOCKERD_PID" "$SOCK" || echo "$launched")"
}

# A containerd left behind by a dockerd that was killed: stop it by its pid file.
stop_stale_containerd() {
    local f="$DIR/exec/containerd/containerd.pid"
    [[ -e $f ]] || return 0
    stop_process "stale containerd" "$f" "$DIR/exec/containerd"
}

# ---------------------------------------------------------------- registries

ensure_token_cert() {
    if [[ -s $TOKEN_CERT && -s $TOKEN_KEY ]] && openssl x509 -in "$TOKEN_CERT" -noout -checkend 86400 >/dev/null 2>&1; then
        return 0
    fi
    log "token: creating a self-signed RSA 2048 certificate in $TOKEN_DIR"
    mkdir -p "$TOKEN_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -subj "/CN=$TOKEN_ISSUER" \
        -keyout "$TOKEN_KEY.tmp" -out "$TOKEN_CERT.tmp" >/dev/null 2>&1 \
        || die "openssl could not create the token certificate"
    # PKCS#8 PEM ("BEGIN PRIVATE KEY"), whatever openssl's default is
    openssl pkcs8 -topk8 -nocrypt -in "$TOKEN_KEY.tmp" -out "$TOKEN_KEY" || die "openssl pkcs8 failed"
    mv -f "$TOKEN_CERT.tmp" "$TOKEN_CERT"
    rm -f "$TOKEN_KEY.tmp"
    chmod 600 "$TOKEN_KEY"
}

registry_secret() {
    local f="$DIR/registry.secret"
    [[ -s $f ]] || openssl rand -hex 32 > "$f"
    cat "$f"
}

write_registry_config() { # <file> <port> <auth:0|1>
    local file="$1" port="$2" auth="$3" purge=true
    ((auth)) && purge=false # one of the two registries purging old uploads is enough
    {
        cat <<EOF
# written by tests/sandbox/sandbox.sh
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $REGISTRY_DATA
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: $purge
      age: 168h
      interval: 24h
      dryrun: false
http:
  addr: 127.0.0.1:$port
  secret: $(registry_secret)
  headers:
    X-Content-Type-Options: [nosniff]
EOF
        if ((auth)); then
            cat <<EOF
auth:
  token:
    realm: http://127.0.0.1:$TOKEN_PORT/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $TOKEN_CERT
EOF
        fi
    } > "$file.tmp"
    mv -f "$file.tmp" "$file"
}

# start_registry <name> <conf> <pidfile> <log> <port> <expected /v2/ code>
start_registry() {
    local name="$1" conf="$2" pidfile="$3" logf="$4" port="$5" code="$6" launched deadline
    stop_process "$name" "$pidfile" "$conf"
    log "$name: starting on 127.0.0.1:$port (log: $logf)"
    echo "===== $(date -u +%FT%TZ) sandbox.sh start =====" >> "$logf"
    setsid docker-registry serve "$conf" >> "$logf" 2>&1 < /dev/null 9>&- &
    launched=$!
    echo "$launched" > "$pidfile"
    deadline=$((SECONDS + 30))
    until registry_answers "$port" "$code"; do
        if ! kill -0 "$launched" 2>/dev/null; then
            tail -n 20 "$logf" >&2 || true
            rm -f "$pidfile"
            die "$name exited during startup (log above: $logf)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "$logf" >&2 || true
            die "$name did not answer $code on GET /v2/ within 30 s"
        fi
        sleep 0.1
    done
    log "$name: up, pid $launched"
}

start_registries() {
    mkdir -p "$REGISTRY_DATA"
    ensure_token_cert
    load_ports
    local plain_ok=0 auth_ok=0
    registry_up && plain_ok=1
    auth_registry_up && auth_ok=1

    if ((plain_ok)); then
        log "registry: reusing pid $(pid_of "$REGISTRY_PID" "$REGISTRY_CONF") on 127.0.0.1:$REGISTRY_PORT"
    else
        port_free "$REGISTRY_PORT" || REGISTRY_PORT="$(new_port "$AUTH_REGISTRY_PORT" "$TOKEN_PORT")"
    fi
    if ((auth_ok)); then
        log "auth-registry: reusing pid $(pid_of "$AUTH_REGISTRY_PID" "$AUTH_REGISTRY_CONF") on 127.0.0.1:$AUTH_REGISTRY_PORT"
    else
        if [[ -z $AUTH_REGISTRY_PORT || $AUTH_REGISTRY_PORT == "$REGISTRY_PORT" ]] || ! port_free "$AUTH_REGISTRY_PORT"; then
            AUTH_REGISTRY_PORT="$(new_port "$REGISTRY_PORT" "$TOKEN_PORT")"
        fi
        # the token port stays as it was unless something else now holds it
        if [[ -z $TOKEN_PORT || $TOKEN_PORT == "$REGISTRY_PORT" || $TOKEN_PORT == "$AUTH_REGISTRY_PORT" ]] || ! port_free "$TOKEN_PORT"; then
            TOKEN_PORT="$(new_port "$REGISTRY_PORT" "$AUTH_REGISTRY_PORT")"
        fi
    fi
    save_ports

    if ((!plain_ok)); then
        write_registry_config "$REGISTRY_CONF" "$REGISTRY_PORT" 0
        start_registry registry "$REGISTRY_CONF" "$REGISTRY_PID" "$REGISTRY_LOG" "$REGISTRY_PORT" 200
    fi
    if ((!auth_ok)); then
        write_registry_config "$AUTH_REGISTRY_CONF" "$AUTH_REGISTRY_PORT" 1
        start_registry auth-registry "$AUTH_REGISTRY_CONF" "$AUTH_REGISTRY_PID" "$AUTH_REGISTRY_LOG" "$AUTH_REGISTRY_PORT" 401
    fi
}

# ---------------------------------------------------------------- fixture images

image_ref() { echo "127.0.0.1:$REGISTRY_PORT/$REPOSITORY:$1"; }

# manifest_digest <tag>: Docker-Content-Digest of the tag in the plain registry (empty if absent)
manifest_digest() {
    curl -s -m 5 -I -H "Accept: $MANIFEST_ACCEPT" \
        "http://127.0.0.1:$REGISTRY_PORT/v2/$REPOSITORY/manifests/$1" 2>/dev/null \
        | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }' || true
}

fixture_hash() {
    {
        sha256sum "$FIXTURE_DIR/server.c" "$FIXTURE_DIR/Dockerfile" "$FIXTURE_DIR/make-context.sh" | awk '{print $1}'
        sha256sum /bin/busybox | awk '{print $1}'
        echo "${VARIANTS[*]}"
    } | sha256sum | awk '{print $1}'
}

declare -A DIGESTS=()

read_digests() {
    local t
    for t in "${VARIANTS[@]}" latest; do DIGESTS[$t]="$(manifest_digest "$t")"; done
}

# restore_tag <tag> <digest>: points <tag> back at the manifest <digest> (same bytes, same digest)
restore_tag() {
    local tag="$1" digest="$2" body code base="http://127.0.0.1:$REGISTRY_PORT/v2/$REPOSITORY/manifests"
    body="$(mktemp)"
    code="$(curl -s -m 10 -o "$body" -w '%{http_code}' -H "Accept: $MANIFEST_V2" "$base/$digest" || true)"
    if [[ $code == 200 ]]; then
        code="$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X PUT -H "Content-Type: $MANIFEST_V2" \
            --data-binary "@$body" "$base/$tag" || true)"
    fi
    rm -f "$body"
    [[ $code == 201 ]]
}

# True when the pushed fixture matches the source; tags that tests re-pointed (say :latest
# pushed to v2) are put back to the digests recorded at build time.
fixture_current() {
    local t want
    local -A recorded=()
    [[ -f $FIXTURE_HASH_FILE && "$(cat "$FIXTURE_HASH_FILE")" == "$(fixture_hash)" ]] || return 1
    [[ -f $FIXTURE_DIGESTS_FILE ]] || return 1
    for t in "${VARIANTS[@]}"; do [[ -f $BUILD_DIR/$t/Dockerfile && -x $BUILD_DIR/$t/rootfs/ark/server ]] || return 1; done
    while IFS='=' read -r t want; do recorded[$t]="$want"; done < "$FIXTURE_DIGESTS_FILE"
    recorded[latest]="${recorded[v1]:-}"
    read_digests
    for t in "${VARIANTS[@]}" latest; do
        want="${recorded[$t]:-}"
        [[ $want == sha256:* ]] || return 1
        [[ ${DIGESTS[$t]} == "$want" ]] && continue
        log "fixture: :$t is ${DIGESTS[$t]:-missing}, restoring it to $want"
        restore_tag "$t" "$want" || { log "fixture: cannot restore :$t; rebuilding"; return 1; }
        DIGESTS[$t]="$(manifest_digest "$t")"
        [[ ${DIGESTS[$t]} == "$want" ]] || return 1
    done
}

build_fixture() {
    [[ -f $FIXTURE_DIR/server.c ]] || die "fixture source missing: $FIXTURE_DIR/server.c"
    if fixture_current; then
        log "fixture: images already in the registry and source unchanged; skipping build"
        return 0
    fi
    local blog="$DIR/fixture-build.log" t ref tags
    tags="$(IFS=,; echo "${VARIANTS[*]},latest")"
    log "fixture: building and pushing $REPOSITORY:{$tags} (log: $blog)"
    : > "$blog"
    mkdir -p "$BUILD_DIR"
    rm -f "$FIXTURE_HASH_FILE" "$FIXTURE_DIGESTS_FILE"
    for t in "${VARIANTS[@]}"; do
        ref="$(image_ref "$t")"
        bash "$FIXTURE_DIR/make-context.sh" "$t" "$BUILD_DIR/$t" >> "$blog" 2>&1 \
            || { tail -n 30 "$blog" >&2; die "fixture: make-context.sh $t failed"; }
        docker_cli build -t "$ref" "$BUILD_DIR/$t" >> "$blog" 2>&1 \
            || { tail -n 30 "$blog" >&2; die "fixture: docker build $t failed"; }
        docker_cli push "$ref" >> "$blog" 2>&1 \
            || { tail -n 30 "$blog" >&2; die "fixture: docker push $ref failed"; }
    done
    docker_cli tag "$(image_ref v1)" "$(image_ref latest)" >> "$blog" 2>&1
    docker_cli push "$(image_ref latest)" >> "$blog" 2>&1 \
        || { tail -n 30 "$blog" >&2; die "fixture: docker push latest failed"; }
    # like a fresh admin host: the daemon does not have the image, the registry does
    for t in "${VARIANTS[@]}" latest; do
        docker_cli rmi "$(image_ref "$t")" >> "$blog" 2>&1 || true
    done
    read_digests
    for t in "${VARIANTS[@]}" latest; do
        [[ -n ${DIGESTS[$t]} ]] || die "fixture: $REPOSITORY:$t is not in the registry after the push"
    done
    for t in "${VARIANTS[@]}"; do echo "$t=${DIGESTS[$t]}"; done > "$FIXTURE_DIGESTS_FILE"
    fixture_hash > "$FIXTURE_HASH_FILE"
    log "fixture: pushed v1 ${DIGESTS[v1]}, v2 ${DIGESTS[v2]}, broken ${DIGESTS[broken]}"
}

# ---------------------------------------------------------------- outputs

json_str() {
    local s="$1"
    s="${s//\\/\\\\}"
    s="${s//\"/\\\"}"
    printf '"%s"' "$s"
}

write_outputs() {
    local realm="http://127.0.0.1:$TOKEN_PORT/token"
    local registry="127.0.0.1:$REGISTRY_PORT" auth_registry="127.0.0.1:$AUTH_REGISTRY_PORT"
    {
        echo "{"
        echo "  \"sandboxDir\": $(json_str "$DIR"),"
        echo "  \"dockerHost\": $(json_str "$DOCKER_HOST_URI"),"
        echo "  \"dockerApiVersion\": \"1.41\","
        echo "  \"registry\": $(json_str "$registry"),"
        echo "  \"registryLog\": $(json_str "$REGISTRY_LOG"),"
        echo "  \"authRegistry\": $(json_str "$auth_registry"),"
        echo "  \"authRegistryLog\": $(json_str "$AUTH_REGISTRY_LOG"),"
        echo "  \"tokenRealm\": $(json_str "$realm"),"
        echo "  \"tokenPort\": $TOKEN_PORT,"
        echo "  \"tokenService\": $(json_str "$TOKEN_SERVICE"),"
        echo "  \"tokenIssuer\": $(json_str "$TOKEN_ISSUER"),"
        echo "  \"tokenCert\": $(json_str "$TOKEN_CERT"),"
        echo "  \"tokenKey\": $(json_str "$TOKEN_KEY"),"
        echo "  \"repository\": $(json_str "$REPOSITORY"),"
        echo "  \"fixtureBuildDir\": $(json_str "$BUILD_DIR"),"
        echo "  \"fixtureContexts\": {"
        echo "    \"v1\": $(json_str "$BUILD_DIR/v1"),"
        echo "    \"v2\": $(json_str "$BUILD_DIR/v2"),"
        echo "    \"broken\": $(json_str "$BUILD_DIR/broken"),"
        echo "    \"hang\": $(json_str "$BUILD_DIR/hang"),"
        echo "    \"unhealthy\": $(json_str "$BUILD_DIR/unhealthy")"
        echo "  },"
        echo "  \"images\": {"
        echo "    \"v1\": $(json_str "$(image_ref v1)"),"
        echo "    \"v2\": $(json_str "$(image_ref v2)"),"
        echo "    \"broken\": $(json_str "$(image_ref broken)"),"
        echo "    \"hang\": $(json_str "$(image_ref hang)"),"
        echo "    \"unhealthy\": $(json_str "$(image_ref unhealthy)"),"
        echo "    \"latest\": $(json_str "$(image_ref latest)")"
        echo "  },"
        echo "  \"digests\": {"
        echo "    \"v1\": $(json_str "${DIGESTS[v1]}"),"
        echo "    \"v2\": $(json_str "${DIGESTS[v2]}"),"
        echo "    \"broken\": $(json_str "${DIGESTS[broken]}"),"
        echo "    \"hang\": $(json_str "${DIGESTS[hang]}"),"
        echo "    \"unhealthy\": $(json_str "${DIGESTS[unhealthy]}"),"
        echo "    \"latest\": $(json_str "${DIGESTS[latest]}")"
        echo "  }"
        echo "}"
    } > "$SANDBOX_JSON.tmp"
    mv -f "$SANDBOX_JSON.tmp" "$SANDBOX_JSON"

    {
        echo "# ArkManager.Images sandbox: eval \"\$(bash tests/sandbox/sandbox.sh env)\""
        local kv
        for kv in \
            "ARKMANAGER_SANDBOX_DIR=$DIR" \
            "ARKMANAGER_SANDBOX_JSON=$SANDBOX_JSON" \
            "ARKMANAGER_SANDBOX_DOCKER_HOST=$DOCKER_HOST_URI" \
            "ARKMANAGER_SANDBOX_DOCKER_API_VERSION=1.41" \
            "ARKMANAGER_SANDBOX_REGISTRY=$registry" \
            "ARKMANAGER_SANDBOX_REGISTRY_LOG=$REGISTRY_LOG" \
            "ARKMANAGER_SANDBOX_AUTH_REGISTRY=$auth_registry" \
            "ARKMANAGER_SANDBOX_AUTH_REGISTRY_LOG=$AUTH_REGISTRY_LOG" \
            "ARKMANAGER_SANDBOX_TOKEN_REALM=$realm" \
            "ARKMANAGER_SANDBOX_TOKEN_PORT=$TOKEN_PORT" \
            "ARKMANAGER_SANDBOX_TOKEN_SERVICE=$TOKEN_SERVICE" \
            "ARKMANAGER_SANDBOX_TOKEN_ISSUER=$TOKEN_ISSUER" \
            "ARKMANAGER_SANDBOX_TOKEN_CERT=$TOKEN_CERT" \
            "ARKMANAGER_SANDBOX_TOKEN_KEY=$TOKEN_KEY" \
            "ARKMANAGER_SANDBOX_REPOSITORY=$REPOSITORY" \
            "ARKMANAGER_SANDBOX_FIXTURE_BUILD_DIR=$BUILD_DIR" \
            "ARKMANAGER_SANDBOX_IMAGE_V1=$(image_ref v1)" \
            "ARKMANAGER_SANDBOX_IMAGE_V2=$(image_ref v2)" \
            "ARKMANAGER_SANDBOX_IMAGE_BROKEN=$(image_ref broken)" \
            "ARKMANAGER_SANDBOX_IMAGE_LATEST=$(image_ref latest)" \
            "ARKMANAGER_SANDBOX_DIGEST_V1=${DIGESTS[v1]}" \
            "ARKMANAGER_SANDBOX_DIGEST_V2=${DIGESTS[v2]}" \
            "ARKMANAGER_SANDBOX_DIGEST_BROKEN=${DIGESTS[broken]}" \
            "ARKMANAGER_SANDBOX_DIGEST_LATEST=${DIGESTS[latest]}"; do
            printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
        done
    } > "$SANDBOX_ENV.tmp"
    mv -f "$SANDBOX_ENV.tmp" "$SANDBOX_ENV"
}

print_summary() {
    cat <<EOF
ArkManager sandbox is up ($1)
  docker host     $DOCKER_HOST_URI   (API 1.41; containers: --network none|host|user-defined)
  registry        127.0.0.1:$REGISTRY_PORT   log $REGISTRY_LOG
  auth registry   127.0.0.1:$AUTH_REGISTRY_PORT   log $AUTH_REGISTRY_LOG
  token realm     http://127.0.0.1:$TOKEN_PORT/token   (service $TOKEN_SERVICE, issuer $TOKEN_ISSUER; not served here)
  token cert/key  $TOKEN_CERT  $TOKEN_KEY
  images          $(image_ref v1)  :v2  :broken  :latest (= v1); not present in the daemon
  endpoints       $SANDBOX_JSON, $SANDBOX_ENV
EOF
}

# ---------------------------------------------------------------- commands

check_dir() {
    [[ $DIR == /* && $DIR != "/" ]] || die "bad sandbox dir '$DIR'"
    # unix socket paths are limited to 107 bytes; containerd adds ~40 chars under exec/
    ((${#DIR} <= 60)) || die "sandbox dir '$DIR' is too long for unix socket paths (keep it under 60 chars)"
}

lock() {
    mkdir -p "$DIR"
    exec 9> "$DIR/.lock"
    flock -w 600 9 || die "another sandbox.sh is busy with $DIR"
}

cmd_start() {
    local t0
    t0="$(now_ms)"
    check_dir
    ensure_packages
    lock
    touch "$MARKER"
    start_dockerd
    start_registries
    build_fixture
    write_outputs
    print_summary "in $(( ($(now_ms) - t0) ))ms"
}

cmd_stop() {
    local purge=0
    case "${1:-}" in
        "") ;;
        --purge) purge=1 ;;
        *) usage ;;
    esac
    check_dir
    if [[ ! -d $DIR ]]; then
        log "nothing to stop: $DIR does not exist"
        return 0
    fi
    if ((purge)) && [[ ! -e $MARKER ]] && [[ -n "$(ls -A "$DIR" 2>/dev/null)" ]]; then
        die "$DIR is not a sandbox directory (no $MARKER); refusing to purge it"
    fi
    lock
    stop_process auth-registry "$AUTH_REGISTRY_PID" "$AUTH_REGISTRY_CONF"
    stop_process registry "$REGISTRY_PID" "$REGISTRY_CONF"
    stop_process dockerd "$DOCKERD_PID" "$SOCK"
    stop_stale_containerd
    rm -f "$SOCK"
    if ((purge)); then
        local m
        # deepest first; /proc/mounts escapes spaces etc. as \040
        while IFS= read -r m; do
            [[ -n $m ]] || continue
            umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
        done < <(awk '{print $2}' /proc/mounts | while IFS= read -r p; do printf '%b\n' "$p"; done \
            | awk -v d="$DIR" 'index($0, d "/") == 1 || $0 == d' | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
        rm -rf "$DIR"
        log "purged $DIR"
    else
        log "stopped (data kept in $DIR; 'stop --purge' deletes it)"
    fi
}

cmd_status() {
    check_dir
    load_ports
    local rc=0 pid
    if dockerd_up; then
        printf '%-14s up    pid %-8s %s\n' dockerd "$(pid_of "$DOCKERD_PID" "$SOCK")" "$DOCKER_HOST_URI"
    else
        printf '%-14s DOWN\n' dockerd; rc=1
    fi
    if registry_up; then
        printf '%-14s up    pid %-8s http://127.0.0.1:%s\n' registry "$(pid_of "$REGISTRY_PID" "$REGISTRY_CONF")" "$REGISTRY_PORT"
    else
        printf '%-14s DOWN\n' registry; rc=1
    fi
    if auth_registry_up; then
        pid="$(pid_of "$AUTH_REGISTRY_PID" "$AUTH_REGISTRY_CONF")"
        printf '%-14s up    pid %-8s http://127.0.0.1:%s (token realm http://127.0.0.1:%s/token)\n' \
            auth-registry "$pid" "$AUTH_REGISTRY_PORT" "$TOKEN_PORT"
    else
        printf '%-14s DOWN\n' auth-registry; rc=1
    fi
    return $rc
}

cmd_env() {
    [[ -s $SANDBOX_ENV ]] || die "$SANDBOX_ENV not found: run 'bash tests/sandbox/sandbox.sh start' first"
    cat "$SANDBOX_ENV"
}

case "${1:-}" in
    start) shift; (($# == 0)) || usage; cmd_start ;;
    stop) shift; (($# <= 1)) || usage; cmd_stop "${1:-}" ;;
    status) shift; (($# == 0)) || usage; cmd_status ;;
    env) shift; (($# == 0)) || usage; cmd_env ;;
    *) usage ;;
esac
