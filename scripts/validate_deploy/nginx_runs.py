"""2. nginx, run: `nginx -t` on both configs, gixy-ng's analysis, and the
cluster config in front of a healthy and a failing stand-in instance.
WORK, the temporary prefixes, is deleted by __main__ at the end."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import NGINX, Skip, check
from .nginx_tools import (NGINX_FILES, StandIn, fetch, free_port, render_cluster, render_production, run_nginx,
                          strip_comments, unprivileged)

WORK = Path(tempfile.mkdtemp(prefix="warta-validate-"))
os.chmod(WORK, 0o755)


@check("nginx -t: the production config (warta.conf in a stand-in nginx.conf, self-signed certificate)")
def _():
    if not NGINX:
        raise Skip("nginx is not installed (apt-get install nginx), and Debian's package could not be unpacked")
    if not shutil.which("openssl"):
        raise Skip("openssl is needed for a stand-in certificate")
    prefix = WORK / "production"
    render_production(prefix)
    result = run_nginx("-t", prefix=prefix)
    if result.returncode:
        return result.stderr.strip().splitlines()


@check("nginx -t: the local cluster config (rendered by render-cluster.sh with two instances)")
def _():
    if not NGINX:
        raise Skip("nginx is not installed (apt-get install nginx), and Debian's package could not be unpacked")
    prefix = WORK / "cluster-t"
    render_cluster(prefix, free_port(), ["127.0.0.1:3101", "127.0.0.1:3102"])
    result = run_nginx("-t", prefix=prefix)
    if result.returncode:
        return result.stderr.strip().splitlines()


# Findings reviewed and accepted, by (check, summary or None for any). gixy
# names the file of a finding inconsistently from run to run, so they are
# matched by check alone, with the premise of each checked below.
GIXY_REVIEWED = {
    # The Host with its port is what the app's CSRF check compares an Origin
    # with (a local cluster on :8080); unknown hosts never reach the site in
    # production (the default server closes them), and a browser cannot be
    # made to send another site's Host.
    ("host_spoofing", None),
    # HSTS is sent on https through the $warta_hsts map, which gixy does not
    # follow.
    ("hsts_header", None),
    # The TLS settings are at http level in warta.conf; gixy looks for them
    # in the default server too, which refuses every handshake anyway.
    ("weak_ssl_tls", "Missing ssl_ciphers directive"),
    ("weak_ssl_tls", "Missing ssl_protocols directive"),
}


@check("gixy-ng finds nothing in either config beyond the reviewed findings")
def _():
    problems = []
    production_text = strip_comments(NGINX_FILES["warta.conf"])
    protocols = re.search(r"^ssl_protocols\s+([^;]+);", production_text, re.M)
    if not protocols or set(protocols[1].split()) - {"TLSv1.2", "TLSv1.3"}:
        problems.append("warta.conf: ssl_protocols at http level is missing or allows more than TLSv1.2 and TLSv1.3")
    if not re.search(r"^ssl_ciphers\s+[^;]+;", production_text, re.M):
        problems.append("warta.conf: no ssl_ciphers at http level")
    if not re.search(r"map\s+\$scheme\s+\$warta_hsts\s*\{[^}]*https\s+\"max-age=\d+", NGINX_FILES["warta-http.conf"]) \
            or "add_header Strict-Transport-Security $warta_hsts always;" not in NGINX_FILES["warta-proxy.conf"]:
        problems.append("HSTS is no longer sent through $warta_hsts")
    if not re.search(r"listen 443 ssl default_server;[^}]*ssl_reject_handshake on;[^}]*return 444;", production_text):
        problems.append("warta.conf: no default server refusing unknown hosts (the premise of accepting $http_host)")
    production, cluster = WORK / "production", WORK / "cluster-gixy"
    if not (production / "conf/nginx.conf").exists():
        render_production(production)
    render_cluster(cluster, free_port(), ["127.0.0.1:3101", "127.0.0.1:3102"])
    for prefix in (production, cluster):
        result = subprocess.run([str(Path(sys.executable).parent / "gixy"), "-f", "json", str(prefix / "conf/nginx.conf")],
                                capture_output=True, text=True, timeout=120)
        try:
            findings = json.loads(result.stdout or "[]")
        except json.JSONDecodeError:
            return [f"gixy: {result.stderr.strip() or result.stdout.strip()}"]
        for finding in findings:
            if (finding["plugin"], finding["summary"]) in GIXY_REVIEWED or (finding["plugin"], None) in GIXY_REVIEWED:
                continue
            file = Path(finding.get("file", "")).name
            problems.append(f"{finding['severity']} {finding['plugin']} in {file}: {finding['summary']} ({finding.get('reason', '')})")
    return problems


@check("the cluster config, run as a non-root user in front of a healthy and a failing (502) instance: failover, ids, addresses, asset cache, no link tokens in the access log")
def _():
    if not NGINX:
        raise Skip("nginx is not installed (apt-get install nginx), and Debian's package could not be unpacked")
    good, bad = StandIn(), StandIn(bad=True)
    prefix, port = WORK / "cluster-run", free_port()
    # The failing instance first: round-robin among equally idle instances
    # reaches it on the first request and every other one after.
    render_cluster(prefix, port, [bad.address, good.address])
    user = unprivileged(prefix)
    started = run_nginx(prefix=prefix, user=user)
    if started.returncode:
        return started.stderr.strip().splitlines()
    problems = []
    if user and shutil.which("pgrep") and subprocess.run(["pgrep", "-u", "0", "-f", f"nginx -p {prefix}"], capture_output=True).returncode == 0:
        problems.append("nginx runs as root although it was started as nobody")
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # GETs: each answered 200, whichever instance nginx tried first.
        for i in range(4):
            path = f"/articles?i={i}"
            status, headers, _ = fetch(port, "GET", path, {"X-Request-ID": f"check-{i}", "X-Forwarded-For": "203.0.113.9"})
            if status != 200:
                problems.append(f"GET {path}: {status}, not retried on the healthy instance")
                continue
            seen = good.requests("GET", path)
            if not seen:
                problems.append(f"GET {path}: the healthy instance never saw it")
                continue
            sent = seen[-1]
            if sent.get("x-request-id") != f"check-{i}" or headers.get_all("X-Request-ID") != [f"check-{i}"]:
                problems.append(f"GET {path}: request id sent {sent.get('x-request-id')}, answered {headers.get_all('X-Request-ID')}")
            if sent.get("x-forwarded-for") != "127.0.0.1" or sent.get("x-real-ip") != "127.0.0.1":
                problems.append(f"GET {path}: X-Forwarded-For {sent.get('x-forwarded-for')}, X-Real-IP {sent.get('x-real-ip')}: not the client's address")
            if sent.get("host") != f"127.0.0.1:{port}":
                problems.append(f"GET {path}: Host {sent.get('host')}, not the one the reader used")
        retried = [i for i in range(4) if bad.requests("GET", f"/articles?i={i}") and good.requests("GET", f"/articles?i={i}")]
        if not retried:
            problems.append("no GET reached the failing instance first: failover was not exercised")
        # POSTs: never sent to a second instance, even after a 502.
        statuses = []
        for i in range(2):
            path = f"/fn/publish?i={i}"
            status, _, _ = fetch(port, "POST", path, {"Content-Type": "application/x-www-form-urlencoded"}, body=b"title=x")
            statuses.append(status)
            reached = len(good.requests("POST", path)) + len(bad.requests("POST", path))
            if reached != 1:
                problems.append(f"POST {path} reached {reached} instances: a POST must never be sent twice")
        if not any(bad.requests("POST", f"/fn/publish?i={i}") for i in range(2)):
            problems.append(f"no POST reached the failing instance (statuses {statuses}): cannot tell it was not retried")
        elif 502 not in statuses:
            problems.append(f"a POST the failing instance answered 502 was answered {statuses} to the client")
        # A missing or malformed request id becomes nginx's own.
        for sent_id in (None, "two words"):
            status, headers, _ = fetch(port, "GET", "/about", {"X-Request-ID": sent_id} if sent_id else {})
            answered = headers.get_all("X-Request-ID") or []
            if len(answered) != 1 or not re.fullmatch(r"[0-9a-f]{32}", answered[0]):
                problems.append(f"request id {sent_id!r}: answered {answered}, not one nginx $request_id")
            elif good.requests("GET", "/about")[-1].get("x-request-id") != answered[0]:
                problems.append(f"request id {sent_id!r}: the instance got another id than the client")
        # Hashed assets: fetched once, then from nginx's cache.
        asset = "/pkg/warta.0123456789abcdef.js"
        first = fetch(port, "GET", asset, {"Accept-Encoding": "gzip, deflate, br"})
        second = fetch(port, "GET", asset, {"Accept-Encoding": "br, gzip"})
        if first[0] != 200 or second[0] != 200:
            problems.append(f"{asset}: {first[0]} then {second[0]}")
        if second[1].get("X-Cache-Status") != "HIT" or len(good.requests("GET", asset)) != 1:
            problems.append(f"{asset}: not served from nginx's cache the second time ({second[1].get('X-Cache-Status')})")
        if "immutable" not in (second[1].get("Cache-Control") or ""):
            problems.append(f"{asset}: Cache-Control {second[1].get('Cache-Control')}")
        if good.requests("GET", asset) and good.requests("GET", asset)[0].get("accept-encoding") != "br":
            problems.append(f"{asset}: Accept-Encoding not normalised ({good.requests('GET', asset)[0].get('accept-encoding')})")
        status, _, _ = fetch(port, "GET", "/readyz")
        if status != 200:
            problems.append(f"/readyz from this machine: {status}")
        # A link's token reaches the app but never the access log.
        token = "s3cretT0ken4log5"
        for path in (f"/reset-password/{token}", f"/id/verify-email/{token}?x=1"):
            fetch(port, "GET", path, {"X-Request-ID": "check-token"})
            if not good.requests("GET", path):
                problems.append(f"GET {path}: the token link never reached the app")
        # nginx writes a request's log line after answering it: the last
        # lines may land a moment after the client has its response.
        deadline = time.monotonic() + 5
        while True:
            log = (prefix / "logs/access.log").read_text()
            if log.count("id=check-token") >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if "id=check-0" not in log or f"upstream={bad.address}, {good.address}" not in log:
            problems.append("the access log lacks the request id or the instances tried")
        if token in log:
            problems.append("the access log keeps the token of a reset or verification link")
        elif "GET /reset-password/{token} " not in log or "GET /id/verify-email/{token} " not in log:
            problems.append("the access log does not record token links (redacted) at all")
    finally:
        run_nginx("-s", "stop", prefix=prefix)
        for stand_in in (good, bad):
            stand_in.server.shutdown()
    return problems
