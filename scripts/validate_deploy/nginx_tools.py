"""deploy/nginx read once, and what the nginx checks run it with: config
parsing, rendering into a temporary prefix, running nginx (as nobody when
root), and a stand-in app instance."""

import http.client
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading

from .common import NGINX, NGX

NGINX_FILES = {path.name: path.read_text() for path in NGX.glob("*") if path.is_file()}
SHARED = ["warta-http.conf", "warta-locations.conf", "warta-proxy.conf"]


def strip_comments(text):
    return "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("#") else "" for line in text.splitlines())


def blocks(text, keyword):
    """(header, body) of each `keyword ... { ... }` block, by brace counting."""
    text = strip_comments(text)
    found = []
    for match in re.finditer(rf"(?m)^\s*{keyword}\b([^{{;]*)\{{", text):
        depth, start = 1, match.end()
        position = start
        while depth:
            char = text[position]
            depth += {"{": 1, "}": -1}.get(char, 0)
            position += 1
        found.append((match[1].strip(), text[start:position - 1]))
    return found


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_nginx(*args, prefix, user=()):
    return subprocess.run([*user, NGINX, "-p", str(prefix), "-c", str(prefix / "conf/nginx.conf"),
                           "-e", str(prefix / "logs/error.log"), *args], capture_output=True, text=True, timeout=30)


def unprivileged(prefix):
    """As root, the command prefix that runs nginx as nobody (`make cluster`
    runs it as an ordinary user), with prefix handed over to nobody."""
    if os.geteuid() != 0:
        return ()
    user = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    if not shutil.which("setpriv") or subprocess.run([*user, NGINX, "-v"], capture_output=True).returncode:
        return ()
    for folder, _, files in os.walk(prefix):
        for name in [folder, *(os.path.join(folder, file) for file in files)]:
            os.chown(name, 65534, 65534)
    return user


def render_cluster(prefix, port, upstreams):
    subprocess.run([str(NGX / "render-cluster.sh"), str(prefix), str(port), *upstreams], check=True,
                   capture_output=True, text=True)
    # A root nginx runs its workers as nobody, who must reach the prefix.
    os.chmod(prefix, 0o755)


def render_production(prefix):
    """warta.conf inside a minimal nginx.conf, its paths moved under prefix
    and a throwaway self-signed certificate in place of the real one."""
    for folder in ("conf/conf.d", "logs", "ssl", "cache"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    text = NGINX_FILES["warta.conf"]
    text = text.replace("/var/cache/nginx/warta", f"{prefix}/cache/warta")
    text = text.replace("/etc/ssl/warta/", f"{prefix}/ssl/").replace("/var/log/nginx/", f"{prefix}/logs/")
    (prefix / "conf/conf.d/warta.conf").write_text(text)
    for shared in SHARED:
        shutil.copy(NGX / shared, prefix / "conf" / shared)
    temp = " ".join(f"{kind}_temp_path {prefix}/tmp_{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "conf/nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\n"
        f"http {{\n    {temp}\n    include conf.d/*.conf;\n}}\n")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=warta.example",
                    "-keyout", str(prefix / "ssl/privkey.pem"), "-out", str(prefix / "ssl/fullchain.pem")],
                   check=True, capture_output=True)


class StandIn:
    """A stand-in for an app instance: records what it is sent; `bad` ones
    answer 502 to everything."""

    def __init__(self, bad=False):
        self.bad, self.seen, stand_in = bad, [], self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                stand_in.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                if stand_in.bad:
                    status, headers, body = 502, {"Content-Type": "text/plain"}, b"bad gateway\n"
                elif self.path.startswith("/pkg/"):
                    status, body = 200, b"console.log('warta')\n"
                    headers = {"Content-Type": "text/javascript", "Vary": "accept-encoding",
                               "Cache-Control": "public, max-age=31536000, immutable"}
                else:
                    status, body = 200, b"<p>page</p>\n"
                    headers = {"Content-Type": "text/html", "Cache-Control": "no-store",
                               "x-request-id": self.headers.get("x-request-id", "")}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def requests(self, method, path):
        return [headers for m, p, headers in self.seen if m == method and p == path]


def fetch(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.headers, data
