"""2. nginx, the config as written: shared pieces, request ids, client
addresses, failover, assets and body size."""

import re

from .common import check, read, size_bytes
from .facts import CONFIG_RS, DEFAULT_PORT, PKG_DIR, REQUEST_ID_HEADER, ROUTES, app_body_limit
from .nginx_tools import NGINX_FILES, blocks, strip_comments

print("==> nginx (deploy/nginx)")


@check("production and local cluster configs share the same http, server and location pieces")
def _():
    problems = []
    for top in ("warta.conf", "cluster.conf.template"):
        text = strip_comments(NGINX_FILES[top])
        for shared in ("warta-http.conf", "warta-locations.conf"):
            if not re.search(rf"include\s+{re.escape(shared)}\s*;", text):
                problems.append(f"{top} does not include {shared}")
        if not blocks(text, "upstream"):
            problems.append(f"{top} has no upstream block")
        if "keys_zone=warta_assets" not in text:
            problems.append(f"{top} defines no warta_assets cache zone")
    for header, body in blocks(NGINX_FILES["warta-locations.conf"], "location"):
        if not re.search(r"include\s+warta-proxy\.conf\s*;", body):
            problems.append(f"location {header} does not include warta-proxy.conf (its headers would be lost)")
        if "proxy_pass http://warta;" not in body:
            problems.append(f"location {header} does not proxy to the warta upstream")
    return problems


@check(f"request id: nginx sends the header the app reads ({REQUEST_ID_HEADER}), its own $request_id when the client sent none")
def _():
    proxy = strip_comments(NGINX_FILES["warta-proxy.conf"]).lower()
    http = strip_comments(NGINX_FILES["warta-http.conf"])
    problems = []
    if not re.search(rf"proxy_set_header\s+{re.escape(REQUEST_ID_HEADER)}\s+\$warta_request_id;", proxy):
        problems.append(f"no `proxy_set_header {REQUEST_ID_HEADER} $warta_request_id`")
    if not re.search(r"map\s+\$http_x_request_id\s+\$warta_request_id\s*\{[^}]*default\s+\$request_id;", http):
        problems.append("$warta_request_id does not fall back to $request_id")
    for top in ("warta-http.conf",):
        if "$warta_request_id" not in re.search(r"log_format[^;]*;", NGINX_FILES[top], re.S)[0]:
            problems.append("the access log does not record the request id")
    return problems


@check("client address: X-Forwarded-For and X-Real-IP set by nginx from $remote_addr; the app believes it from WARTA_TRUSTED_PROXIES, which k8s and the cluster set")
def _():
    proxy = strip_comments(NGINX_FILES["warta-proxy.conf"])
    problems = []
    if "x-forwarded-for" not in read("server/src/http/middleware/client.rs").lower():
        problems.append("the app no longer reads X-Forwarded-For (server/src/http/middleware/client.rs): recheck what it trusts")
    if "WARTA_TRUSTED_PROXIES" not in CONFIG_RS:
        problems.append("server/src/config/ no longer reads WARTA_TRUSTED_PROXIES")
    if not re.search(r"^\s*WARTA_TRUSTED_PROXIES:", read("deploy/k8s/configmap.yaml"), re.M):
        problems.append("deploy/k8s/configmap.yaml does not set WARTA_TRUSTED_PROXIES: every reader would share the ingress's rate limit")
    if "WARTA_TRUSTED_PROXIES=127.0.0.1" not in read("scripts/lib/cluster-warta.sh"):
        problems.append("scripts/lib/cluster-warta.sh (scripts/cluster.sh) does not trust its nginx (WARTA_TRUSTED_PROXIES=127.0.0.1)")
    if not re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", proxy):
        problems.append("X-Forwarded-For is not replaced by $remote_addr: a client could choose its first hop")
    if not re.search(r"proxy_set_header\s+X-Real-IP\s+\$remote_addr;", proxy):
        problems.append("X-Real-IP is not set")
    return problems


@check("failover: error/timeout/502/503/504 retried, never non_idempotent, bounded tries; passive health checks; keep-alive")
def _():
    problems = []
    locations = strip_comments(NGINX_FILES["warta-locations.conf"])
    for name, text in NGINX_FILES.items():
        if "non_idempotent" in strip_comments(text):
            problems.append(f"{name}: non_idempotent: a POST could run twice")
    retry = re.search(r"^proxy_next_upstream\s+([^;]+);", locations, re.M)
    if not retry or not {"error", "timeout", "http_502", "http_503", "http_504"} <= set(retry[1].split()):
        problems.append("the server-level proxy_next_upstream lacks error timeout http_502 http_503 http_504")
    if not re.search(r"proxy_next_upstream_tries\s+\d+;", locations):
        problems.append("no proxy_next_upstream_tries")
    if not re.search(r"proxy_http_version\s+1\.1;", locations) or 'proxy_set_header Connection        "";' not in NGINX_FILES["warta-proxy.conf"]:
        problems.append("keep-alive to the instances needs HTTP/1.1 and an empty Connection header")
    render = NGINX_FILES["render-cluster.sh"]
    for top, text in (("warta.conf", NGINX_FILES["warta.conf"]), ("cluster.conf.template", NGINX_FILES["cluster.conf.template"])):
        for header, body in blocks(text, "upstream"):
            if "keepalive " not in body:
                problems.append(f"{top}: upstream {header} keeps no idle connections (keepalive)")
            servers = re.findall(r"^\s*server\s+([^;]+);", body, re.M)
            if top == "cluster.conf.template":
                servers = re.findall(r"server \$address ([^\"]+);", render)
            for server in servers:
                if "max_fails=" not in server or "fail_timeout=" not in server:
                    problems.append(f"{top}: `server {server}` has no max_fails/fail_timeout")
                port = re.search(r":(\d+)\b", server)
                if top == "warta.conf" and port and int(port[1]) != DEFAULT_PORT:
                    problems.append(f"{top}: `server {server}` is not on the app's port {DEFAULT_PORT}")
    return problems


@check("assets: /pkg/ (the app's site-pkg-dir) and /media/ cached; nginx compresses nothing the app already does")
def _():
    locations = dict(blocks(NGINX_FILES["warta-locations.conf"], "location"))
    problems = []
    if f"/{PKG_DIR}/" not in locations:
        problems.append(f"no location /{PKG_DIR}/")
    elif "proxy_cache warta_assets;" not in locations[f"/{PKG_DIR}/"]:
        problems.append(f"/{PKG_DIR}/ is not cached")
    if "/media/{*key}" in ROUTES and "/media/" not in locations:
        problems.append("no location /media/")
    if "precompressed_br" not in read("server/src/http/routes/assets.rs"):
        problems.append("the app no longer serves precompressed files: recheck gzip off")
    if not re.search(r"^gzip\s+off;", strip_comments(NGINX_FILES["warta-locations.conf"]), re.M):
        problems.append("nginx gzip is not off: pages would be compressed twice")
    return problems


@check("client_max_body_size is above the app's own limit, so the app answers 413 itself")
def _():
    size = re.search(r"client_max_body_size\s+(\S+);", NGINX_FILES["warta-locations.conf"])
    limit = app_body_limit()
    if not size or size_bytes(size[1]) < limit:
        return [f"client_max_body_size {size and size[1]} is below the app's limit of {limit} bytes"]
