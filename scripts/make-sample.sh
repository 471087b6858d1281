#!/usr/bin/env bash
# make-sample.sh — build samples/alb-story.pcapng from REAL traffic.
#
#   sudo bash scripts/make-sample.sh [OUT]        (default OUT: samples/alb-story.pcapng)
#
# The story: a client resolves the load balancer's name, loads a page and calls an API through
# an ALB-like reverse proxy (nginx) that adds X-Forwarded-For / -Proto / -Port and
# X-Amzn-Trace-Id and forwards to a backend (a second nginx).  The "load balancer" also health
# checks the backend with User-Agent ELB-HealthChecker/2.0, redirects one path from HTTP to
# HTTPS (TLS is terminated on the proxy; the client's key log is embedded in the pcapng), and
# answers 502 when a target refuses the connection.  Both legs are captured on the proxy:
#
#   ns wcs-client            ns wcs-alb (proxy + resolver)              ns wcs-backend
#   eth0 10.0.1.23 ──veth── front0 10.0.1.10 (+10.0.1.2 DNS)
#                           back0  10.0.2.10 ──────────────────veth── eth0 10.0.2.20:8080
#
# Safety: all traffic stays inside the three namespaces this script creates (wcs-*), which have
# no default route; nothing is sent anywhere else.  Every loop is bounded, every curl has
# --max-time, tcpdump and the DNS responder run under timeout(1).  The namespaces, nginx,
# tcpdump and the responder are removed/stopped on exit (trap).  Idempotent: leftovers of an
# earlier run are removed first and OUT is replaced atomically.  Needs root; installs missing
# tools with apt-get (Debian 12).  Env: KEEP_WORK=1 keeps the temporary work directory.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/samples/alb-story.pcapng}")
export PATH=$PATH:/usr/sbin:/sbin
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

log() { printf '[make-sample %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (network namespaces, tcpdump)"

# ------------------------------------------------------------------ tools
ensure_tools() {
  local missing=() pair try
  for pair in tcpdump:tcpdump tshark:tshark mergecap:wireshark-common editcap:wireshark-common \
              capinfos:wireshark-common nginx:nginx curl:curl openssl:openssl ethtool:ethtool \
              ip:iproute2 python3:python3 ping:iputils-ping timeout:coreutils; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  # shellcheck disable=SC2207
  missing=($(printf '%s\n' "${missing[@]}" | sort -u))
  log "installing: ${missing[*]}"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  for try in 1 2 3 4 5 6 7 8 9 10; do
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>/tmp/wcs-apt.err && { rm -f /tmp/wcs-apt.err; return 0; }
    if grep -qi lock /tmp/wcs-apt.err; then log "dpkg lock held, retry $try/10"; sleep 10; continue; fi
    [ "$try" = 1 ] && { apt-get update -q >/dev/null 2>&1 || true; continue; }
    cat /tmp/wcs-apt.err >&2; die "apt-get install failed"
  done
  die "apt-get: dpkg lock never released"
}
ensure_tools
PY=$(command -v python3)

# ------------------------------------------------------------------ work dir, cleanup
W=$(mktemp -d /tmp/wcs-sample.XXXXXX)
NSLIST=(wcs-client wcs-alb wcs-backend)
CAP_PIDS=()
DNS_PID=""

ns_del() {
  local ns=$1 p
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || return 0
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
}
nginx_stop() { # name
  local pidf="$W/$1/nginx.pid" p i
  [ -s "$pidf" ] || return 0
  p=$(cat "$pidf"); kill -QUIT "$p" 2>/dev/null || true
  for i in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  rm -f "$pidf"
}
cleanup() {
  local p ns
  for p in "${CAP_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [ -n "$DNS_PID" ] && kill "$DNS_PID" 2>/dev/null || true
  nginx_stop proxy; nginx_stop backend
  for ns in "${NSLIST[@]}"; do ns_del "$ns"; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then log "work dir kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
nox() { nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; }

# ------------------------------------------------------------------ helper (stdlib python)
cat > "$W/helper.py" <<'PYEOF'
"""make-sample.sh helper: content, DNS responder/client, pcapng interface labels."""
import os, random, socket, struct, sys, time, zlib

ZONE = {"shop.wirecrab.test": "10.0.1.10", "api.shop.wirecrab.test": "10.0.1.10"}

def content(root):
    rnd = random.Random(4242)
    for d in ("static", "api/v1"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    def put(rel, data):
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
    items = ["kettle", "teapot", "mug", "grinder", "scale", "filter", "dripper", "tin"]
    cards = "".join('<li class="card"><h2>%s %d</h2><p>%s</p><b>$%d.%02d</b></li>\n'
                    % (rnd.choice(items).title(), i, " ".join(rnd.choice(items) for _ in range(14)),
                       rnd.randint(5, 90), rnd.randint(0, 99)) for i in range(24))
    put("index.html", "<!doctype html>\n<html><head><title>Wirecrab Shop</title>\n"
        "<link rel=stylesheet href=/static/app.css></head><body>\n<h1>Wirecrab Shop</h1>\n"
        '<img src=/static/logo.png alt=logo>\n<ul class="grid">\n' + cards +
        "</ul>\n<script src=/static/app.js></script></body></html>\n")
    put("static/app.css", "".join(".card-%d{margin:%dpx;padding:%dpx;color:#%06x}\n"
                                  % (i, i % 9, i % 5, rnd.getrandbits(24)) for i in range(90)))
    put("static/app.js", "".join("function render%d(el){el.dataset.k%d=%d;return fetch('/api/v1/products?page=%d');}\n"
                                 % (i, i, rnd.randint(0, 9999), i % 7) for i in range(110)))
    # a real PNG (RGB, noisy rows, so it stays ~20 KB and spans many TCP segments)
    w, h = 96, 72
    raw = b"".join(b"\x00" + bytes(rnd.randrange(256) for _ in range(w * 3)) for _ in range(h))
    def chunk(tag, data):
        return struct.pack("!I", len(data)) + tag + data + struct.pack("!I", zlib.crc32(tag + data))
    put("static/logo.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack("!IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    put("api/v1/products.json", "[\n" + ",\n".join(
        '  {"sku":"WC-%04d","name":"%s","price":%d.%02d,"stock":%d}'
        % (100 + i, rnd.choice(items), rnd.randint(5, 90), rnd.randint(0, 99), rnd.randint(0, 40))
        for i in range(12)) + "\n]\n")

def _qname(buf, off):
    labels = []
    while off < len(buf) and buf[off]:
        labels.append(buf[off + 1:off + 1 + buf[off]].decode("ascii", "replace"))
        off += 1 + buf[off]
    return ".".join(labels), off + 1

def dns_server(addr, max_queries, secs):
    """Authoritative answers for ZONE; NXDOMAIN otherwise; AAAA -> NOERROR/NODATA."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    s.settimeout(0.5)
    end, n = time.time() + secs, 0
    while n < max_queries and time.time() < end:
        try:
            q, peer = s.recvfrom(1500)
        except socket.timeout:
            continue
        if len(q) < 17:
            continue
        name, off = _qname(q, 12)
        qtype = struct.unpack("!H", q[off:off + 2])[0]
        ip = ZONE.get(name.lower())
        answer = b""
        if ip is None:
            flags = 0x8183                      # response, AA, RD, NXDOMAIN
        else:
            flags = 0x8580                      # response, AA, RD, RA, NOERROR
            if qtype == 1:
                answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(ip)
        s.sendto(q[:2] + struct.pack("!HHHHH", flags, 1, 1 if answer else 0, 0, 0)
                 + q[12:off + 4] + answer, peer)
        n += 1
    print("dns-server: answered %d" % n, file=sys.stderr)

def dns_query(server, name, qtype):
    """One query, 2 s timeout; prints the A address (or the rcode name) on stdout."""
    qid = random.getrandbits(16)
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
    q += struct.pack("!HH", {"A": 1, "AAAA": 28}[qtype], 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    s.sendto(q, (server, 53))
    try:
        r = s.recv(1500)
    except socket.timeout:
        print("TIMEOUT"); return
    rcode, ancount = r[3] & 0xF, struct.unpack("!H", r[6:8])[0]
    if rcode == 3:
        print("NXDOMAIN")
    elif ancount and r[-6:-4] == b"\x00\x04":
        print(socket.inet_ntoa(r[-4:]))
    else:
        print("NODATA")

def label(path, *labels):
    """Set if_name/if_description on the pcapng IDBs, in order: label = 'name=description'."""
    data = bytearray(open(path, "rb").read())
    out, off, idb, e = bytearray(), 0, 0, "<"
    def opt(code, val):
        val = val.encode()
        return struct.pack(e + "HH", code, len(val)) + val + b"\0" * (-len(val) % 4)
    while off + 12 <= len(data):
        btype = struct.unpack_from("<I", data, off)[0]
        if btype == 0x0A0D0D0A:
            e = "<" if struct.unpack_from("<I", data, off + 8)[0] == 0x1A2B3C4D else ">"
        btype, blen = struct.unpack_from(e + "II", data, off)
        block = bytes(data[off:off + blen])
        if btype == 1 and idb < len(labels):
            name, _, desc = labels[idb].partition("=")
            body, opts, p = block[8:16], [], 16
            while p + 4 <= blen - 4:
                code, ln = struct.unpack_from(e + "HH", block, p)
                if code == 0:
                    break
                if code not in (2, 3):
                    opts.append(block[p:p + 4 + ln + (-ln % 4)])
                p += 4 + ln + (-ln % 4)
            newbody = body + opt(2, name) + opt(3, desc) + b"".join(opts) + struct.pack(e + "HH", 0, 0)
            n = 12 + len(newbody)
            block = struct.pack(e + "II", 1, n) + newbody + struct.pack(e + "I", n)
            idb += 1
        out += block
        off += blen
    if off != len(data):
        raise SystemExit("label: trailing garbage in %s" % path)
    open(path, "wb").write(out)
    print("labelled %d interface(s)" % idb, file=sys.stderr)

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "content":
        content(args[0])
    elif cmd == "dns-server":
        dns_server(args[0], int(args[1]), float(args[2]))
    elif cmd == "dns-query":
        dns_query(args[0], args[1], args[2])
    elif cmd == "label":
        label(args[0], *args[1:])
    else:
        raise SystemExit("unknown command " + cmd)
PYEOF

# ------------------------------------------------------------------ namespaces and links
for ns in "${NSLIST[@]}"; do ns_del "$ns"; done
for ns in "${NSLIST[@]}"; do
  ip netns add "$ns"
  nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
done
# fixed, locally administered MACs: 02:00:<ip in hex>
ip link add name eth0 netns wcs-client address 02:00:0a:00:01:17 type veth \
   peer name front0 netns wcs-alb address 02:00:0a:00:01:0a
ip link add name back0 netns wcs-alb address 02:00:0a:00:02:0a type veth \
   peer name eth0 netns wcs-backend address 02:00:0a:00:02:14
ip -n wcs-client  addr add 10.0.1.23/24 dev eth0
ip -n wcs-alb     addr add 10.0.1.10/24 dev front0
ip -n wcs-alb     addr add 10.0.1.2/24  dev front0     # the "VPC resolver"
ip -n wcs-alb     addr add 10.0.2.10/24 dev back0
ip -n wcs-backend addr add 10.0.2.20/24 dev eth0
nox wcs-client eth0; nox wcs-alb front0; nox wcs-alb back0; nox wcs-backend eth0
ip -n wcs-client link set eth0 up; ip -n wcs-alb link set front0 up
ip -n wcs-alb link set back0 up;   ip -n wcs-backend link set eth0 up
# the proxy does not route between its legs; no namespace has a default route
nsx wcs-alb sysctl -qw net.ipv4.ip_forward=0

# ------------------------------------------------------------------ content, certificate, nginx
"$PY" "$W/helper.py" content "$W/www"
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$W/alb.key" -out "$W/alb.crt" \
  -subj "/CN=shop.wirecrab.test/O=wirecrab sample" \
  -addext "subjectAltName=DNS:shop.wirecrab.test,DNS:api.shop.wirecrab.test" >/dev/null 2>&1
EPOCHHEX=$(printf '%08x' "$(date +%s)")

nginx_common() { # prefix dir
  cat <<EOF
user root;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  client_body_temp_path $1/tmp/body; proxy_temp_path $1/tmp/proxy; fastcgi_temp_path $1/tmp/fcgi;
  uwsgi_temp_path $1/tmp/uwsgi; scgi_temp_path $1/tmp/scgi;
  sendfile off; gzip off; server_tokens on; keepalive_timeout 4s;   # idle keep-alive closed after 4 s (FIN in the capture)
EOF
}

mkdir -p "$W/backend/tmp" "$W/proxy/tmp"
{ nginx_common "$W/backend"; cat <<'EOF'
  log_format fwd '$remote_addr "$request" $status xff="$http_x_forwarded_for" proto=$http_x_forwarded_proto port=$http_x_forwarded_port trace="$http_x_amzn_trace_id" ua="$http_user_agent"';
  access_log @W@/backend/access.log fwd;
  server {
    listen 10.0.2.20:8080 default_server;
    server_name _;
    root @W@/www;
    add_header X-Backend backend-1a always;
    location = /health            { default_type text/plain; return 200 "OK\n"; }
    location = /old-home          { return 301 /; }
    location = /account           { default_type text/html; return 200 "<html><body><h1>Your account</h1><p>Signed in over $http_x_forwarded_proto.</p></body></html>\n"; }
    location = /api/v1/products   { try_files /api/v1/products.json =404; }
    location = /api/v1/orders     { default_type application/json; add_header Location /api/v1/orders/o-1001 always;
                                    return 201 '{"order_id":"o-1001","status":"created"}\n'; }
    location = /api/v1/whoami     { default_type application/json;
                                    return 200 '{"remote_addr":"$remote_addr","x_forwarded_for":"$http_x_forwarded_for","x_forwarded_proto":"$http_x_forwarded_proto","x_forwarded_port":"$http_x_forwarded_port","x_amzn_trace_id":"$http_x_amzn_trace_id"}\n'; }
    location = /api/v1/crash      { default_type application/json; return 500 '{"error":"NullPointerException in OrderService"}\n'; }
    location = /api/v1/inventory  { default_type application/json; add_header Retry-After 30 always;
                                    return 503 '{"error":"inventory service unavailable"}\n'; }
  }
}
EOF
} | sed "s|@W@|$W|g" > "$W/backend/nginx.conf"

{ nginx_common "$W/proxy"; cat <<'EOF'
  log_format alb '$time_iso8601 $remote_addr:$remote_port $server_port "$request" $status $upstream_addr $upstream_status trace="$alb_trace"';
  access_log @W@/proxy/access.log alb;
  # X-Amzn-Trace-Id like an ALB: new Root=1-<epoch hex>-<24 hex> if absent; if the client sent
  # one, keep it and prepend a Self= id for this hop.
  map $request_id $trace_tail { "~^.{8}(?<t>.{24})$" $t; }
  map $http_x_amzn_trace_id $alb_trace {
    ""      "Root=1-@EPOCHHEX@-$trace_tail";
    default "Self=1-@EPOCHHEX@-$trace_tail;$http_x_amzn_trace_id";
  }
  upstream targets { server 10.0.2.20:8080; keepalive 4; }
  upstream reports { server 10.0.2.20:8081; }        # nothing listens there: RST, 502
  server {
    listen 10.0.1.10:80 default_server;
    listen 10.0.1.10:443 ssl default_server;
    server_name shop.wirecrab.test api.shop.wirecrab.test;
    ssl_certificate @W@/alb.crt; ssl_certificate_key @W@/alb.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Port $server_port;
    proxy_set_header X-Amzn-Trace-Id $alb_trace;
    location /account {
      if ($scheme = http) { return 301 https://$host$request_uri; }   # listener rule: redirect to HTTPS
      proxy_pass http://targets;
    }
    location /api/v2/ { proxy_pass http://reports; }
    location /        { proxy_pass http://targets; }
  }
}
EOF
} | sed -e "s|@W@|$W|g" -e "s|@EPOCHHEX@|$EPOCHHEX|g" > "$W/proxy/nginx.conf"

nginx_start() { # ns name
  local i
  nsx "$1" nginx -e "$W/$2/error.log" -p "$W/$2" -c "$W/$2/nginx.conf" || die "nginx $2: $(tail -3 "$W/$2/error.log" 2>/dev/null)"
  for i in $(seq 1 50); do [ -s "$W/$2/nginx.pid" ] && return 0; sleep 0.1; done
  die "nginx $2 did not start"
}
nginx_start wcs-backend backend
nginx_start wcs-alb proxy

ip netns exec wcs-alb timeout 60 "$PY" "$W/helper.py" dns-server 10.0.1.2 10 50 2>"$W/dns-server.log" &
DNS_PID=$!

# ------------------------------------------------------------------ capture both legs on the proxy
start_capture() { # iface
  local i err="$W/tcpdump-$1.log"
  ip netns exec wcs-alb timeout 120 tcpdump -i "$1" -n -s 0 -U -Z root -w "$W/$1.pcap" 2>"$err" &
  CAP_PIDS+=($!)
  for i in $(seq 1 100); do
    grep -q 'listening on' "$err" 2>/dev/null && return 0
    kill -0 "${CAP_PIDS[-1]}" 2>/dev/null || die "tcpdump on $1 failed: $(cat "$err")"
    sleep 0.1
  done
  die "tcpdump on $1 did not start"
}
start_capture front0
start_capture back0
sleep 0.5

# ------------------------------------------------------------------ the traffic
REQLOG="$W/requests.log"; : > "$REQLOG"
UA_BROWSER='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
UA_ELB='ELB-HealthChecker/2.0'
hex24() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }

ccurl() { # client request(s) through the proxy; curl args...; one line per transfer in $REQLOG
  nsx wcs-client curl -sS --noproxy '*' --connect-timeout 3 --max-time 10 --http1.1 \
    --resolve "shop.wirecrab.test:80:$ALB_IP" --resolve "shop.wirecrab.test:443:$ALB_IP" \
    --resolve "api.shop.wirecrab.test:80:$ALB_IP" --cacert "$W/alb.crt" \
    -w 'client %{http_code} %{method} %{url_effective}\n' "$@" >>"$REQLOG" 2>>"$W/curl.err" || true
}
health_check() { # the load balancer's own probe, from 10.0.2.10 straight to the target
  nsx wcs-alb curl -sS --noproxy '*' --connect-timeout 3 --max-time 5 --http1.1 --interface 10.0.2.10 \
    -A "$UA_ELB" -H 'Connection: close' -o /dev/null \
    -w 'health %{http_code} %{method} %{url_effective}\n' http://10.0.2.20:8080/health >>"$REQLOG" 2>>"$W/curl.err" || true
}
S=http://shop.wirecrab.test A=http://api.shop.wirecrab.test

log "traffic: ping, health checks, DNS, HTTP, HTTPS"
nsx wcs-client ping -c 3 -i 0.2 -W 1 10.0.1.10 >/dev/null 2>&1 || true      # client -> LB (ARP too)
nsx wcs-alb    ping -c 2 -i 0.2 -W 1 -I 10.0.2.10 10.0.2.20 >/dev/null 2>&1 || true
health_check
health_check

ALB_IP=$(nsx wcs-client "$PY" "$W/helper.py" dns-query 10.0.1.2 shop.wirecrab.test A)
nsx wcs-client "$PY" "$W/helper.py" dns-query 10.0.1.2 shop.wirecrab.test AAAA >/dev/null
nsx wcs-client "$PY" "$W/helper.py" dns-query 10.0.1.2 shpo.wirecrab.test A >/dev/null   # typo: NXDOMAIN
[ "$ALB_IP" = 10.0.1.10 ] || die "DNS answer was '$ALB_IP', expected 10.0.1.10"

# 1. browser page load: one keep-alive connection, 5 requests (favicon is a 404)
ccurl -A "$UA_BROWSER" -H 'Accept-Language: en-GB,en;q=0.8' \
  -o /dev/null $S/ -o /dev/null $S/static/app.css -o /dev/null $S/static/app.js \
  -o /dev/null $S/static/logo.png -o /dev/null $S/favicon.ico
# 2. API calls, one connection each
ccurl -o /dev/null -A 'shop-mobile/3.2 (Android 14)' "$A/api/v1/products?limit=12&sort=price"
ccurl -o /dev/null -A 'shop-mobile/3.2 (Android 14)' -H 'Content-Type: application/json' \
  -d '{"sku":"WC-0103","qty":2,"coupon":"SPRING"}' "$A/api/v1/orders"
# a client behind a corporate proxy that already sent XFF and a trace id: the LB appends/keeps them
ccurl -o /dev/null -H 'X-Forwarded-For: 198.51.100.7' \
  -H "X-Amzn-Trace-Id: Root=1-$EPOCHHEX-$(hex24)" "$A/api/v1/whoami"
health_check
ccurl -o /dev/null "$S/old-home"                          # 301 from the backend
ccurl -o /dev/null "$S/no-such-page.html"                 # 404 from the backend
ccurl -o /dev/null "$A/api/v1/crash"                      # 500 from the backend
ccurl -o /dev/null "$A/api/v1/inventory"                  # 503 from the backend (Retry-After)
ccurl -o /dev/null "$A/api/v2/reports"                    # 502 from the LB: target refused (RST)
# 3. HTTP -> HTTPS redirect by the LB, then TLS 1.3 to the LB, plaintext HTTP to the backend
export SSLKEYLOGFILE="$W/tls.keylog"
ccurl -o /dev/null -L -A "$UA_BROWSER" "$S/account"      # 301 (LB) then 200 over HTTPS
ccurl -o /dev/null "https://shop.wirecrab.test/api/v1/whoami"
unset SSLKEYLOGFILE
health_check
sleep 5                                                    # idle upstream keep-alive expires (4 s): FINs land

for p in "${CAP_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${CAP_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
CAP_PIDS=()
for i in front0 back0; do log "tcpdump $i: $(grep -E 'packets (captured|received|dropped)' "$W/tcpdump-$i.log" | paste -sd ';' -)"; done
log "transfers: $(awk '{print $1" "$2}' "$REQLOG" | sort | uniq -c | awk '{print $2":"$3"x"$1}' | paste -sd ' ' -)"
[ -s "$W/tls.keylog" ] || die "no TLS key log written"

# ------------------------------------------------------------------ merge, secrets, comments, labels
mergecap -I none -F pcapng -w "$W/merged.pcapng" "$W/front0.pcap" "$W/back0.pcap"
first_frame() { # display filter -> first frame number ("" if none)
  tshark -n -r "$W/merged.pcapng" -o "tls.keylog_file:$W/tls.keylog" -Y "$1" -T fields -e frame.number 2>/dev/null | head -1
}
COMMENTS=()
add_comment() { # filter text
  local f; f=$(first_frame "$1"); [ -n "$f" ] && COMMENTS+=(-a "$f:$2") || log "no frame for comment: $1"
}
add_comment 'dns.flags.response == 0'                               'client resolves the load balancer name (resolver 10.0.1.2)'
add_comment 'http.user_agent contains "ELB-HealthChecker"'          'health check: load balancer 10.0.2.10 -> target 10.0.2.20:8080'
add_comment 'frame.interface_id == 0 && http.request'               'client leg: first request to the load balancer (no X-Forwarded-* yet)'
add_comment 'frame.interface_id == 1 && http.x_forwarded_for'       'backend leg: same request forwarded with X-Forwarded-For/-Proto/-Port and X-Amzn-Trace-Id'
add_comment 'http.x_forwarded_for contains "198.51.100.7" && frame.interface_id == 1' 'client-supplied XFF and trace id: LB appends 10.0.1.23 and adds Self='
add_comment 'tcp.srcport == 8081 && tcp.flags.reset == 1'           'target refuses the connection (RST) -> LB answers 502'
add_comment 'http.response.code == 502'                             '502 Bad Gateway generated by the load balancer'
add_comment 'http.response.code == 301 && http.location contains "https://"' 'LB listener rule: redirect HTTP to HTTPS'
add_comment 'tls.handshake.type == 1'                               'TLS 1.3 to the LB; keys embedded (DSB), backend leg stays plaintext'
editcap --inject-secrets "tls,$W/tls.keylog" \
  --capture-comment "wirecrab sample alb-story: real traffic made by scripts/make-sample.sh; client 10.0.1.23 -> ALB-like nginx 10.0.1.10 (front0) -> backend nginx 10.0.2.20:8080 (back0)" \
  "${COMMENTS[@]}" "$W/merged.pcapng" "$W/final.pcapng"
"$PY" "$W/helper.py" label "$W/final.pcapng" \
  "front0=client leg: 10.0.1.23 <-> load balancer 10.0.1.10 (+ resolver 10.0.1.2), captured on the proxy" \
  "back0=backend leg: load balancer 10.0.2.10 <-> target 10.0.2.20:8080, captured on the proxy"

# ------------------------------------------------------------------ checks
T() { tshark -n -r "$W/final.pcapng" -Y "$1" 2>/dev/null | wc -l; }
n_front=$(T 'frame.interface_id == 0 && http.request')
n_back=$(T 'frame.interface_id == 1 && http.request')
n_xff=$(T 'frame.interface_id == 1 && http.x_forwarded_for')
n_trace=$(T 'frame.interface_id == 1 && http.request.line contains "X-Amzn-Trace-Id: "')
n_proto=$(T 'frame.interface_id == 1 && http.request.line contains "X-Forwarded-Proto: https"')
n_hc=$(T 'http.user_agent == "ELB-HealthChecker/2.0"')
n_dns=$(T 'dns')
n_icmp=$(T 'icmp')
codes=$(tshark -n -r "$W/final.pcapng" -Y http.response -T fields -e http.response.code 2>/dev/null | sort -n | uniq -c | awk '{print $2"x"$1}' | paste -sd ' ' -)
log "http requests: client leg $n_front, backend leg $n_back (XFF $n_xff, trace id $n_trace, proto=https $n_proto, health checks $n_hc); dns $n_dns; icmp $n_icmp"
log "response codes (both legs): $codes"
[ "$n_front" -ge 15 ] && [ "$n_xff" -ge 12 ] && [ "$n_trace" -ge 12 ] && [ "$n_proto" -ge 2 ] \
  && [ "$n_hc" -ge 4 ] && [ "$n_dns" -ge 6 ] && [ "$n_icmp" -ge 10 ] || die "sanity check failed (see counts above)"
size=$(stat -c %s "$W/final.pcapng")
[ "$size" -lt 1048576 ] || die "capture too large: $size bytes"

mkdir -p "$(dirname "$OUT")"
cp "$W/final.pcapng" "$OUT.tmp.$$" && mv -f "$OUT.tmp.$$" "$OUT"
log "wrote $OUT ($size bytes)"
capinfos "$OUT" >&2 || true
