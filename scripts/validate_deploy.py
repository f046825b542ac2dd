"""The checks of scripts/validate-deploy.sh, which sets up their tools (a
venv with PyYAML, kubernetes-validate, dockerfile-parse and gixy-ng;
nginx) and runs this with the venv's Python:

    validate_deploy.py ROOT NGINX

ROOT is the checkout, NGINX an nginx binary or "" to skip its checks."""

import glob
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import kubernetes_validate
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(sys.argv[1])
NGINX = sys.argv[2] or None
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
NGX = DEPLOY / "nginx"
# The oldest Kubernetes still commonly run, and the newest schemas bundled.
K8S_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]

counts = {"passed": 0, "failed": 0, "skipped": 0}


class Skip(Exception):
    """A check that cannot run here."""


def check(name):
    """Runs the decorated function at once: it returns a list of problems
    (empty or None: passed), or raises Skip."""

    def run(fn):
        try:
            problems = fn() or []
        except Skip as reason:
            print(f"skip  {name}: {reason}")
            counts["skipped"] += 1
            return fn
        except Exception as error:  # a check that crashed has failed
            problems = [f"{type(error).__name__}: {error}"]
        if problems:
            print(f"FAIL  {name}")
            for problem in problems:
                print(f"        {problem}")
            counts["failed"] += 1
        else:
            print(f"ok    {name}")
            counts["passed"] += 1
        return fn

    return run


def read(relative):
    return (ROOT / relative).read_text()


# ---------------------------------------------------------------- the code
CONFIG_RS = "\n".join(Path(p).read_text() for p in sorted(glob.glob(str(ROOT / "server/src/config/*.rs"))))
APP_RS = "\n".join(Path(p).read_text() for p in sorted(glob.glob(str(ROOT / "app/src/**/*.rs"), recursive=True)))
STARTUP_RS = read("server/src/startup.rs")
CLI_RS = read("server/src/cli.rs")
TRACE_RS = read("server/src/http/middleware/trace.rs")
LIMITS_RS = read("server/src/http/middleware/limits.rs")
MEDIA_RS = read("server/src/media.rs")
CARGO_LOCK = read("Cargo.lock")
CARGO_TOML = read("Cargo.toml")
# Where metric families are named: one `pub const NAME: &str = "warta_…"`
# each, in server/src/monitoring/ and the cache's own.
METRICS_RS = "\n".join(Path(p).read_text() for p in sorted(glob.glob(str(ROOT / "server/src/monitoring/*.rs")))) \
    + read("app/src/ssr/cache.rs")
METRIC_FAMILIES = set(re.findall(r'pub const [A-Z_]+: &str = "(warta_[a-z0-9_]+)";', METRICS_RS))

# Variables the app reads: the names server/src/config/ (and app/src) look up.
APP_ENV = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', CONFIG_RS + APP_RS))


def aws_variables():
    """The AWS_* variables object_store's AmazonS3Builder::from_env reads,
    from the crate's source when cargo has it, else the usual ones."""
    if "AmazonS3Builder::from_env" not in MEDIA_RS:
        return set()
    version = re.search(r'name = "object_store"\nversion = "([^"]+)"', CARGO_LOCK)
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    if version:
        for builder in glob.glob(str(cargo_home / f"registry/src/*/object_store-{version[1]}/src/aws/builder.rs")):
            return {name.upper() for name in re.findall(r'"(aws_[a-z0-9_]+)"', Path(builder).read_text())}
    return {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT", "AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP", "AWS_VIRTUAL_HOSTED_STYLE_REQUEST"}


AWS_ENV = aws_variables()
KNOWN_ENV = APP_ENV | AWS_ENV
ROUTES = set(re.findall(r'\.route\("([^"]+)"', STARTUP_RS))
DEFAULT_PORT = int(re.search(r'"PORT",\s*(\d+)_u16', CONFIG_RS)[1])
DEFAULT_WORKER_GRACE = int(re.search(r'"WARTA_WORKER_GRACE_SECS",\s*(\d+)', CONFIG_RS)[1])
REQUEST_ID_HEADER = re.search(r'REQUEST_ID: HeaderName = HeaderName::from_static\("([^"]+)"\)', TRACE_RS)[1]
command_enum = re.search(r"pub enum Command \{(.*?)\n\}", CLI_RS, re.S)[1]
SUBCOMMANDS = {name.lower() for name in re.findall(r"^\s+([A-Z][A-Za-z]*)\s*[,(]", command_enum, re.M)}
PKG_DIR = re.search(r'\.site_pkg_dir\("([^"]+)"\)', STARTUP_RS)[1]
HASH_FILE = "hash.txt" if '"hash.txt"' in CONFIG_RS else None


def app_body_limit():
    """The largest request body the app reads before answering 413 itself:
    3 x the article limit + 64 KB, + a cover image (server/src/http/middleware/limits.rs)."""
    if "body_max * 3 + 64 * 1024" not in LIMITS_RS or "max + app::ssr::covers::MAX_BYTES" not in LIMITS_RS:
        raise RuntimeError("server/src/http/middleware/limits.rs computes its limit differently now: update this check")
    article = eval(re.search(r"pub const BODY_MAX_DEFAULT: usize = ([0-9 *]+);", APP_RS)[1])
    cover = eval(re.search(r"pub const MAX_BYTES: usize = ([0-9 *]+);", APP_RS)[1])
    return article * 3 + 64 * 1024 + cover


def size_bytes(text):
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text.strip())
    return int(match[1]) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match[2].lower()]


# The Dockerfile, parsed up front: the Kubernetes checks need its USER.
DOCKERFILE = DEPLOY / "Dockerfile"
STAGES = []  # [{"from": ..., "name": ..., "instructions": [(instruction, value)]}]
GLOBAL_ARGS = {}
FINAL_USER = None
DOCKERFILE_ERROR = None
try:
    current = None
    for item in DockerfileParser(path=str(DOCKERFILE)).structure:
        instruction, value = item["instruction"], item["value"]
        if instruction == "FROM":
            words = value.split()
            current = {"from": words[0], "name": words[2] if len(words) > 2 and words[1].upper() == "AS" else None,
                       "instructions": []}
            STAGES.append(current)
        elif current is None:
            if instruction == "ARG" and "=" in value:
                key, default = value.split("=", 1)
                GLOBAL_ARGS[key.strip()] = default.strip()
        else:
            current["instructions"].append((instruction, value))
    users = [value for instruction, value in STAGES[-1]["instructions"] if instruction == "USER"]
    FINAL_USER = users[-1] if users else None
except Exception as error:  # reported by the first Dockerfile check
    DOCKERFILE_ERROR = error


# ------------------------------------------------------- 1. Kubernetes files
print("==> Kubernetes manifests (deploy/k8s)")
DOCS = {}  # file name -> documents
RESOURCES = []  # (file name, resource), the Kustomization aside


@check("every YAML file parses, each document a named resource")
def _():
    problems = []
    for path in sorted(K8S.glob("*.y*ml")):
        try:
            docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
        except yaml.YAMLError as error:
            problems.append(f"{path.name}: {error}")
            continue
        DOCS[path.name] = docs
        for doc in docs:
            if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
                problems.append(f"{path.name}: a document without apiVersion and kind")
            elif doc["kind"] != "Kustomization":
                if not doc.get("metadata", {}).get("name"):
                    problems.append(f"{path.name}: a {doc['kind']} without metadata.name")
                RESOURCES.append((path.name, doc))
    if not RESOURCES:
        problems.append("no manifests found")
    return problems


for version in K8S_VERSIONS:

    @check(f"every resource validates strictly against the Kubernetes {version} schemas")
    def _():
        problems = []
        for name, resource in RESOURCES:
            try:
                kubernetes_validate.validate(resource, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = "/".join(str(part) for part in error.path)
                problems.append(f"{name}: {resource['kind']}/{resource['metadata']['name']}: {where}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                problems.append(f"{name}: {error}")
        return problems


def find(kind, name=None):
    found = [res for _, res in RESOURCES if res["kind"] == kind and (name is None or res["metadata"]["name"] == name)]
    return found


def pod_spec(workload):
    return workload["spec"]["template"]["spec"]


def subcommand(workload):
    container = pod_spec(workload)["containers"][0]
    return (container.get("args") or container.get("command") or ["serve"])[0]


def app_ports(container):
    """The ports a container declares for the app itself: all but `metrics`,
    which is WARTA_METRICS_ADDR's (checked on its own)."""
    return [p["containerPort"] for p in container.get("ports", []) if p.get("name") != "metrics"]


def workload(command):
    for res in find("Deployment") + find("Job"):
        if subcommand(res) == command:
            return res
    raise RuntimeError(f"no Deployment or Job runs `warta {command}`")


def config_data():
    data = {}
    for res in find("ConfigMap"):
        data.update(res.get("data", {}))
    return data


def secret_example():
    docs = DOCS.get("secret.example.yaml") or []
    data = {}
    for doc in docs:
        data.update(doc.get("stringData", {}))
        data.update({key: "(base64)" for key in doc.get("data", {})})
    return data


def container_env(workload_res, container):
    """What a container sees: envFrom (ConfigMap, the Secret example), then env."""
    env = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            for res in find("ConfigMap", source["configMapRef"]["name"]):
                env.update(res.get("data", {}))
        if "secretRef" in source:
            for doc in DOCS.get("secret.example.yaml", []):
                if doc["metadata"]["name"] == source["secretRef"]["name"]:
                    env.update(doc.get("stringData", {}))
    for var in container.get("env", []):
        env[var["name"]] = var.get("value", "(from a reference)")
    return env


@check("kustomization.yaml lists every manifest (but the Secret example), and only existing files")
def _():
    kustomization = DOCS["kustomization.yaml"][0]
    listed = kustomization.get("resources", [])
    problems = [f"lists {name}, which does not exist" for name in listed if not (K8S / name).exists()]
    manifests = {name for name in DOCS if name != "kustomization.yaml"}
    problems += [f"does not list {name}" for name in sorted(manifests - set(listed) - {"secret.example.yaml"})]
    if "secret.example.yaml" in listed:
        problems.append("lists secret.example.yaml: placeholder secrets would be applied")
    images = {image["name"] for image in kustomization.get("images", [])}
    for _, res in RESOURCES:
        if res["kind"] in ("Deployment", "Job"):
            for container in pod_spec(res)["containers"]:
                if container["image"].split(":")[0] not in images:
                    problems.append(f"{res['metadata']['name']}: image {container['image']} is not set in `images`")
    return problems


@check("every environment variable named in deploy/k8s is one the app reads (server/src/config/, app/src, or object_store's AWS_*)")
def _():
    names = {}
    for res in find("ConfigMap"):
        for key in res.get("data", {}):
            names[key] = f"ConfigMap {res['metadata']['name']}"
    for key in secret_example():
        names[key] = "secret.example.yaml"
    for res in find("Deployment") + find("Job"):
        for container in pod_spec(res)["containers"]:
            for var in container.get("env", []):
                names[var["name"]] = f"{res['metadata']['name']}/{container['name']}"
    return [f"{name} ({where}) is read nowhere in the app" for name, where in sorted(names.items()) if name not in KNOWN_ENV]


@check("envFrom names a ConfigMap in the manifests or the Secret of secret.example.yaml")
def _():
    problems = []
    secrets = {doc["metadata"]["name"] for doc in DOCS.get("secret.example.yaml", [])}
    for res in find("Deployment") + find("Job"):
        for container in pod_spec(res)["containers"]:
            for source in container.get("envFrom", []):
                if "configMapRef" in source and not find("ConfigMap", source["configMapRef"]["name"]):
                    problems.append(f"{res['metadata']['name']}: no ConfigMap {source['configMapRef']['name']}")
                if "secretRef" in source and source["secretRef"]["name"] not in secrets:
                    problems.append(f"{res['metadata']['name']}: no Secret {source['secretRef']['name']} in secret.example.yaml")
    return problems


@check(f"every container runs a `warta` subcommand that exists ({', '.join(sorted(SUBCOMMANDS))})")
def _():
    problems = []
    for res in find("Deployment") + find("Job"):
        if subcommand(res) not in SUBCOMMANDS:
            problems.append(f"{res['metadata']['name']}: `warta {subcommand(res)}` is not a subcommand in server/src/cli.rs")
    for command in ("serve", "worker", "migrate"):
        workload(command)
    return problems


@check("web: /healthz liveness, /readyz readiness, a startupProbe, on routes and ports that exist")
def _():
    web = workload("serve")
    container = pod_spec(web)["containers"][0]
    problems = []
    probes = {kind: container.get(kind) for kind in ("livenessProbe", "readinessProbe", "startupProbe")}
    if not probes["startupProbe"]:
        problems.append("no startupProbe")
    if (probes["livenessProbe"] or {}).get("httpGet", {}).get("path") != "/healthz":
        problems.append("the livenessProbe is not GET /healthz")
    if (probes["readinessProbe"] or {}).get("httpGet", {}).get("path") != "/readyz":
        problems.append("the readinessProbe is not GET /readyz")
    ports = {port.get("name"): port["containerPort"] for port in container.get("ports", [])}
    for kind, probe in probes.items():
        get = (probe or {}).get("httpGet")
        if not get:
            continue
        if get.get("path") not in ROUTES:
            problems.append(f"{kind}: {get.get('path')} is not a route in server/src/startup.rs")
        if get["port"] not in ports and get["port"] not in ports.values():
            problems.append(f"{kind}: port {get['port']} is not a container port")
    return problems


@check(f"web: the container port is the port the app listens on (PORT, default {DEFAULT_PORT})")
def _():
    web = workload("serve")
    container = pod_spec(web)["containers"][0]
    env = container_env(web, container)
    port = int(env.get("PORT", DEFAULT_PORT))
    declared = app_ports(container)
    if declared != [port]:
        return [f"containerPort {declared} but the app listens on {port}"]
    if env.get("WARTA_BIND", "127.0.0.1") not in ("0.0.0.0", "::"):
        return [f"WARTA_BIND is {env.get('WARTA_BIND', '127.0.0.1 (the default)')}: unreachable from outside the pod"]


@check("web: WARTA_INLINE_WORKER=false (jobs run in the worker Deployment)")
def _():
    if "WARTA_INLINE_WORKER" not in APP_ENV:
        return ["the app has no WARTA_INLINE_WORKER"]
    web = workload("serve")
    env = container_env(web, pod_spec(web)["containers"][0])
    if env.get("WARTA_INLINE_WORKER") != "false":
        return [f"WARTA_INLINE_WORKER is {env.get('WARTA_INLINE_WORKER', 'unset (true)')}"]


def ingress_seconds(annotation, default):
    for res in find("Ingress"):
        value = res["metadata"].get("annotations", {}).get(f"nginx.ingress.kubernetes.io/{annotation}")
        if value:
            return int(value)
    return default


@check("web: preStop sleeps, and the grace period outlasts that sleep plus the longest request (proxy-read-timeout)")
def _():
    web = workload("serve")
    spec = pod_spec(web)
    container = spec["containers"][0]
    command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    sleep = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds")
    if command[:1] == ["sleep"]:
        sleep = int(command[1])
    if not sleep:
        return ["no preStop sleep: the pod may get requests after SIGTERM"]
    grace = spec.get("terminationGracePeriodSeconds", 30)
    longest = ingress_seconds("proxy-read-timeout", 60)
    if grace <= sleep + longest:
        return [f"terminationGracePeriodSeconds {grace} <= preStop {sleep} s + requests of up to {longest} s"]


@check("worker: the grace period outlasts WARTA_WORKER_GRACE_SECS")
def _():
    worker = workload("worker")
    env = container_env(worker, pod_spec(worker)["containers"][0])
    grace = int(env.get("WARTA_WORKER_GRACE_SECS", DEFAULT_WORKER_GRACE))
    period = pod_spec(worker).get("terminationGracePeriodSeconds", 30)
    if period <= grace:
        return [f"terminationGracePeriodSeconds {period} <= WARTA_WORKER_GRACE_SECS {grace}"]


@check("migration Job: `warta migrate`, never restarted in place")
def _():
    job = workload("migrate")
    problems = []
    if job["kind"] != "Job":
        problems.append("`warta migrate` should run as a Job")
    if pod_spec(job).get("restartPolicy") not in ("Never", "OnFailure"):
        problems.append("restartPolicy must be Never or OnFailure")
    return problems


def dockerfile_uid():
    return FINAL_USER.split(":")[0] if FINAL_USER else None


@check("pods run as non-root with the image's uid; containers read-only, no privilege escalation, with requests and limits")
def _():
    problems = []
    uid = dockerfile_uid()
    for res in find("Deployment") + find("Job"):
        name = res["metadata"]["name"]
        spec = pod_spec(res)
        security = spec.get("securityContext", {})
        if security.get("runAsNonRoot") is not True:
            problems.append(f"{name}: runAsNonRoot is not true")
        if uid and str(security.get("runAsUser")) != uid:
            problems.append(f"{name}: runAsUser {security.get('runAsUser')} but the Dockerfile's USER is {uid}")
        for container in spec["containers"]:
            context = container.get("securityContext", {})
            if context.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{name}: readOnlyRootFilesystem is not true")
            if context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{name}: allowPrivilegeEscalation is not false")
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in resources.get(bound, {}):
                        problems.append(f"{name}: no {what} in resources.{bound}")
    return problems


@check("with a read-only root, whatever the app writes goes to a mounted volume or elsewhere (S3, SMTP)")
def _():
    problems = []
    for res in find("Deployment"):
        spec = pod_spec(res)
        for container in spec["containers"]:
            env = container_env(res, container)
            mounts = [mount["mountPath"] for mount in container.get("volumeMounts", [])]
            media = env.get("WARTA_MEDIA_URL", ".data/media")
            if not media.startswith("s3://"):
                folder = media.removeprefix("file://")
                if not any(folder.startswith(mount) for mount in mounts):
                    problems.append(f"{res['metadata']['name']}: WARTA_MEDIA_URL {media} is on the read-only root")
            if "SMTP_URL" not in env:
                outbox = env.get("WARTA_OUTBOX_DIR", ".data/outbox")
                if not any(outbox.startswith(mount) for mount in mounts):
                    problems.append(f"{res['metadata']['name']}: no SMTP_URL, and WARTA_OUTBOX_DIR {outbox} is on the read-only root")
    return problems


@check("production settings: WARTA_ENV=production has every variable it requires, an https public URL")
def _():
    env = {**config_data(), **secret_example()}
    if env.get("WARTA_ENV") != "production":
        return ["WARTA_ENV is not production"]
    required = ["DATABASE_URL", "REDIS_URL", "WARTA_SECRET", "WARTA_PUBLIC_URL", "SMTP_URL", "WARTA_MEDIA_URL"]
    problems = [f"{name} is missing" for name in required if name not in env]
    if not env.get("WARTA_PUBLIC_URL", "").startswith("https://") and env.get("WARTA_SECURE_COOKIES") != "true":
        problems.append("WARTA_PUBLIC_URL is not https:// (and WARTA_SECURE_COOKIES is not true)")
    return problems


@check("secret.example.yaml holds placeholders only, in forms this build can use")
def _():
    problems = []
    for key, value in secret_example().items():
        if "@" in value.split("://", 1)[-1].split("/", 1)[0] and "CHANGE-ME" not in value:
            problems.append(f"{key}: a URL with credentials that are not a CHANGE-ME placeholder")
        if key in ("WARTA_SECRET", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID") and "CHANGE-ME" not in value:
            problems.append(f"{key}: not a CHANGE-ME placeholder")
    example = secret_example()
    # Neither Postgres (sqlx) nor Redis (redis, fred) is built with TLS.
    if re.search(r"sslmode=(require|verify)", example.get("DATABASE_URL", "")):
        problems.append("DATABASE_URL asks for TLS, which this build of sqlx does not have")
    if example.get("REDIS_URL", "").startswith("rediss://"):
        problems.append("REDIS_URL is rediss://, which this build of the Redis clients does not support")
    return problems


@check("Service selects the web pods only, on a port the web container has; the Ingress points at it")
def _():
    problems = []
    web, worker = workload("serve"), workload("worker")
    web_labels = web["spec"]["template"]["metadata"]["labels"]
    worker_labels = worker["spec"]["template"]["metadata"]["labels"]
    ports = {p.get("name"): p["containerPort"] for p in pod_spec(web)["containers"][0].get("ports", [])}
    services = {res["metadata"]["name"]: res for res in find("Service")}
    for name, service in services.items():
        selector = service["spec"]["selector"]
        if not selector.items() <= web_labels.items():
            problems.append(f"Service {name} does not select the web pods")
        if selector.items() <= worker_labels.items():
            problems.append(f"Service {name} also selects the worker pods")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            if target not in ports and target not in ports.values():
                problems.append(f"Service {name}: targetPort {target} is not a web container port")
    for ingress in find("Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = services.get(backend["name"])
                if not service:
                    problems.append(f"Ingress {ingress['metadata']['name']}: no Service {backend['name']}")
                    continue
                names = {p.get("name") for p in service["spec"]["ports"]} | {p["port"] for p in service["spec"]["ports"]}
                wanted = backend["port"].get("name", backend["port"].get("number"))
                if wanted not in names:
                    problems.append(f"Ingress {ingress['metadata']['name']}: Service {backend['name']} has no port {wanted}")
    return problems


@check("metrics: each pod's `metrics` port is WARTA_METRICS_ADDR's, off loopback and the app's port, with WARTA_METRICS_TOKEN, and no Service routes to it")
def _():
    if "WARTA_METRICS_ADDR" not in APP_ENV or "WARTA_METRICS_TOKEN" not in APP_ENV:
        return ["the app reads no WARTA_METRICS_ADDR or WARTA_METRICS_TOKEN (server/src/config/)"]
    problems = []
    metrics_ports = set()
    for command in ("serve", "worker"):
        res = workload(command)
        name = res["metadata"]["name"]
        container = pod_spec(res)["containers"][0]
        env = container_env(res, container)
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        address = env.get("WARTA_METRICS_ADDR")
        if not address:
            if "metrics" in ports:
                problems.append(f"{name}: a `metrics` port, but WARTA_METRICS_ADDR is unset (metrics off)")
            continue
        host, _, port = address.rpartition(":")
        if not port.isdigit():
            problems.append(f"{name}: WARTA_METRICS_ADDR {address} has no port")
            continue
        metrics_ports.add(int(port))
        if ports.get("metrics") != int(port):
            problems.append(f"{name}: WARTA_METRICS_ADDR {address}, but its `metrics` containerPort is {ports.get('metrics')}")
        if host.strip("[]") in ("127.0.0.1", "::1", "localhost"):
            problems.append(f"{name}: WARTA_METRICS_ADDR {address} is the pod's loopback: Prometheus cannot reach it")
        if int(port) == int(env.get("PORT", DEFAULT_PORT)):
            problems.append(f"{name}: WARTA_METRICS_ADDR {address} is on the app's own port")
        if "WARTA_METRICS_TOKEN" not in env:
            problems.append(f"{name}: metrics reachable from other pods without WARTA_METRICS_TOKEN (production refuses to start)")
    for service in find("Service"):
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            if target == "metrics" or target in metrics_ports:
                problems.append(f"Service {service['metadata']['name']} routes to the metrics port {target}")
    return problems


@check("Ingress: retries idempotent requests only, and lets the app answer oversized bodies itself")
def _():
    problems = []
    limit = app_body_limit()
    for ingress in find("Ingress"):
        annotations = ingress["metadata"].get("annotations", {})
        retry = annotations.get("nginx.ingress.kubernetes.io/proxy-next-upstream", "")
        if "non_idempotent" in retry:
            problems.append("proxy-next-upstream includes non_idempotent: a POST could run twice")
        if not retry or "nginx.ingress.kubernetes.io/proxy-next-upstream-tries" not in annotations:
            problems.append("no proxy-next-upstream / proxy-next-upstream-tries")
        body = annotations.get("nginx.ingress.kubernetes.io/proxy-body-size", "1m")
        if size_bytes(body) < limit:
            problems.append(f"proxy-body-size {body} is below the app's own limit ({limit} bytes)")
    return problems


@check("HPA (autoscaling/v2) scales the web Deployment, which leaves replicas to it; PDBs (policy/v1) select pods")
def _():
    problems = []
    deployments = {res["metadata"]["name"]: res for res in find("Deployment")}
    for hpa in find("HorizontalPodAutoscaler"):
        target = deployments.get(hpa["spec"]["scaleTargetRef"]["name"])
        if hpa["apiVersion"] != "autoscaling/v2":
            problems.append(f"HPA {hpa['metadata']['name']}: {hpa['apiVersion']}, not autoscaling/v2")
        if not target:
            problems.append(f"HPA {hpa['metadata']['name']}: no Deployment {hpa['spec']['scaleTargetRef']['name']}")
        elif "replicas" in target["spec"]:
            problems.append(f"{target['metadata']['name']} sets replicas: every apply would undo the HPA")
        if hpa["spec"].get("minReplicas", 1) < 2:
            problems.append("minReplicas below 2: no failover while a pod restarts")
    if not find("HorizontalPodAutoscaler"):
        problems.append("no HorizontalPodAutoscaler")
    for pdb in find("PodDisruptionBudget"):
        selector = pdb["spec"]["selector"]["matchLabels"].items()
        matching = [name for name, res in deployments.items() if selector <= res["spec"]["template"]["metadata"]["labels"].items()]
        if len(matching) != 1:
            problems.append(f"PDB {pdb['metadata']['name']} selects {matching or 'no Deployment'}")
    if not find("PodDisruptionBudget"):
        problems.append("no PodDisruptionBudget")
    return problems


# ------------------------------------------------------------ monitoring
print("==> Monitoring (deploy/prometheus, deploy/grafana)")
PROMETHEUS = DEPLOY / "prometheus"


@check("the Grafana dashboard (deploy/grafana/warta.json) parses and charts every metric family the code names")
def _():
    if not METRIC_FAMILIES:
        return ["no `pub const …: &str = \"warta_…\"` metric names found in server/src/monitoring/ and app/src/ssr/cache.rs"]
    dashboard = json.loads((DEPLOY / "grafana/warta.json").read_text())
    panels = dashboard.get("panels", [])
    panels += [inner for panel in panels for inner in panel.get("panels", [])]
    queries = " ".join(target.get("expr", "") for panel in panels for target in panel.get("targets", []))
    return [f"{family} is charted by no panel" for family in sorted(METRIC_FAMILIES) if family not in queries]


@check("Prometheus: prometheus.yml and the PodMonitor parse, scrape /metrics with the bearer token, on the pods' `metrics` port")
def _():
    problems = []
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    for job in config.get("scrape_configs", []):
        authorization = job.get("authorization", {})
        if authorization.get("type", "Bearer") != "Bearer" or not authorization.get("credentials_file"):
            problems.append(f"prometheus.yml: job {job.get('job_name')} sends no bearer token from a file")
        if job.get("metrics_path", "/metrics") != "/metrics":
            problems.append(f"prometheus.yml: job {job.get('job_name')} scrapes {job['metrics_path']}")
    monitor = yaml.safe_load((PROMETHEUS / "podmonitor.yaml").read_text())
    secrets = secret_example()
    for endpoint in monitor["spec"]["podMetricsEndpoints"]:
        credentials = endpoint.get("authorization", {}).get("credentials", {})
        if credentials.get("name") != "warta-secrets" or credentials.get("key") not in secrets:
            problems.append(f"podmonitor.yaml: the token is not a key of the warta-secrets Secret ({credentials})")
        if endpoint.get("path", "/metrics") != "/metrics":
            problems.append(f"podmonitor.yaml: scrapes {endpoint['path']}")
        for command in ("serve", "worker"):
            ports = {p.get("name") for p in pod_spec(workload(command))["containers"][0].get("ports", [])}
            if endpoint.get("port") not in ports:
                problems.append(f"podmonitor.yaml: port {endpoint.get('port')} is not a port of the `warta {command}` pods")
    return problems


# ---------------------------------------------------------- 3. Dockerfile
print("==> Dockerfile (deploy/Dockerfile)")


def arg_defaults(stage):
    values = dict(GLOBAL_ARGS)
    for instruction, value in stage["instructions"]:
        if instruction == "ARG" and "=" in value:
            key, default = value.split("=", 1)
            values[key.strip()] = default.strip().strip('"')
    return values


def all_args():
    values = dict(GLOBAL_ARGS)
    for stage in STAGES:
        values.update(arg_defaults(stage))
    return values


def env_pairs(value):
    """ENV a=b c=d, or ENV a b."""
    if "=" not in value.split()[0]:
        key, rest = value.split(None, 1)
        return {key: rest}
    return dict(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)', value))


@check("the Dockerfile parses (dockerfile-parse) into several stages")
def _():
    if DOCKERFILE_ERROR:
        return [f"{type(DOCKERFILE_ERROR).__name__}: {DOCKERFILE_ERROR}"]
    if len(STAGES) < 2:
        return [f"{len(STAGES)} stage(s): the build tools would ship in the image"]


def final(instruction):
    return [value for name, value in STAGES[-1]["instructions"] if name == instruction]


@check("the image runs as a numeric, non-root USER")
def _():
    if not FINAL_USER:
        return ["the final stage sets no USER: the app would run as root"]
    uid = FINAL_USER.split(":")[0]
    if uid in ("root", "0"):
        return [f"USER {FINAL_USER} is root"]
    if not uid.isdigit():
        return [f"USER {FINAL_USER}: a name, which Kubernetes cannot check against runAsNonRoot; use the uid"]


@check("the runtime stage is Debian slim, like the build stages (same glibc)")
def _():
    base = STAGES[-1]["from"]
    builder = next((stage for stage in STAGES if any("cargo leptos build" in v for i, v in stage["instructions"] if i == "RUN")), None)
    problems = []
    if not re.fullmatch(r"debian:[a-z]+-slim", base):
        problems.append(f"the runtime stage is {base}")
    release = base.split(":")[1].removesuffix("-slim")
    stages = {stage["name"]: stage for stage in STAGES}
    stage, chain = builder, []
    while stage:
        chain.append(stage["from"])
        stage = stages.get(stage["from"])
    if not any(release in image for image in chain):
        problems.append(f"the build runs on {chain[-1]}, not Debian {release}")
    return problems


@check("ENTRYPOINT runs `warta`, CMD `serve`, and EXPOSE is the app's port")
def _():
    problems = []
    entrypoint, cmd, expose = final("ENTRYPOINT"), final("CMD"), final("EXPOSE")
    if not entrypoint or json.loads(entrypoint[-1]) != ["warta"]:
        problems.append(f"ENTRYPOINT {entrypoint}, not [\"warta\"]")
    if not cmd or json.loads(cmd[-1])[0] not in SUBCOMMANDS:
        problems.append(f"CMD {cmd} is not a warta subcommand")
    env = {}
    for value in final("ENV"):
        env.update(env_pairs(value))
    port = int(env.get("PORT", DEFAULT_PORT))
    if [int(p.split("/")[0]) for p in expose] != [port]:
        problems.append(f"EXPOSE {expose}, but the app listens on {port}")
    if env.get("WARTA_BIND") not in ("0.0.0.0", "::"):
        problems.append("WARTA_BIND is not 0.0.0.0: the app would listen on the container's loopback only")
    web = workload("serve")
    container_ports = app_ports(pod_spec(web)["containers"][0])
    if container_ports != [port]:
        problems.append(f"the web Deployment's containerPort {container_ports} is not the image's {port}")
    return problems


@check("every ENV in the image is read by the app; build-stage ENV by the build (.cargo/config.toml)")
def _():
    problems = []
    build_env = set(re.findall(r"^([A-Z][A-Z0-9_]+)\s*=", read(".cargo/config.toml"), re.M))
    for index, stage in enumerate(STAGES):
        runtime = index == len(STAGES) - 1
        for instruction, value in stage["instructions"]:
            if instruction != "ENV":
                continue
            for name in env_pairs(value):
                if name == "PATH":
                    continue
                if runtime and name not in KNOWN_ENV:
                    problems.append(f"runtime ENV {name} is read nowhere in the app")
                if not runtime and name not in build_env:
                    problems.append(f"build ENV {name} is not one of the build's ({', '.join(sorted(build_env))})")
    return problems


@check("the site and hash.txt are where the app looks: LEPTOS_SITE_ROOT, and beside the binary on PATH")
def _():
    problems = []
    env = {}
    for value in final("ENV"):
        env.update(env_pairs(value))
    copies = {}
    for value in final("COPY"):
        words = [w for w in value.split() if not w.startswith("--")]
        copies[words[0].rstrip("/")] = words[-1].rstrip("/")
    build_run = next(v for stage in STAGES for i, v in stage["instructions"] if i == "RUN" and "cargo leptos build" in v)
    binary = re.search(r"cp target/release/warta (?:target/release/(\S+) )?(\S+)", build_run)
    site = re.search(r"cp -r target/site (\S+)", build_run)
    if not binary or not site:
        return ["the build step does not copy target/release/warta and target/site out"]
    if HASH_FILE and binary[1] != HASH_FILE:
        problems.append(f"{HASH_FILE} is not copied beside the binary: the app would not find the hashed asset names")
    bin_dir = copies.get(binary[2].rstrip("/"))
    site_dir = copies.get(site[1].rstrip("/"))
    if not bin_dir or bin_dir not in env.get("PATH", "").split(":"):
        problems.append(f"the binary's folder ({bin_dir}) is not on PATH, so ENTRYPOINT [\"warta\"] fails")
    if env.get("LEPTOS_SITE_ROOT", "target/site") != site_dir:
        problems.append(f"LEPTOS_SITE_ROOT {env.get('LEPTOS_SITE_ROOT')} but the site is copied to {site_dir}")
    return problems


@check("built as `make build` builds: cargo leptos build --release --precompress, offline queries, wasm target")
def _():
    makefile = read("Makefile")
    wanted = re.search(r"^build:.*\n\t(.+)$", makefile, re.M)[1].strip()
    runs = " ".join(v for stage in STAGES for i, v in stage["instructions"] if i == "RUN")
    problems = []
    if wanted not in runs:
        problems.append(f"no `{wanted}` (the Makefile's build)")
    if "rustup target add wasm32-unknown-unknown" not in runs:
        problems.append("the wasm32-unknown-unknown target is not added")
    if "npm ci" not in runs:
        problems.append("no `npm ci` (Tailwind and wasm-opt come from package-lock.json)")
    envs = {}
    for stage in STAGES[:-1]:
        for i, v in stage["instructions"]:
            if i == "ENV":
                envs.update(env_pairs(v))
    if envs.get("SQLX_OFFLINE") != "true":
        problems.append("SQLX_OFFLINE=true is not set for the build")
    return problems


@check("tool versions as the project pins them: cargo-leptos (setup-tools.sh), wasm-bindgen (Cargo.lock), Rust >= rust-version")
def _():
    args = all_args()
    problems = []
    setup = read("scripts/setup-tools.sh")
    leptos = re.search(r"^CARGO_LEPTOS_VERSION=(\S+)", setup, re.M)[1]
    if args.get("CARGO_LEPTOS_VERSION") != leptos:
        problems.append(f"CARGO_LEPTOS_VERSION {args.get('CARGO_LEPTOS_VERSION')}, setup-tools.sh has {leptos}")
    bindgen = re.search(r'name = "wasm-bindgen"\nversion = "([^"]+)"', CARGO_LOCK)[1]
    if args.get("WASM_BINDGEN_VERSION") != bindgen:
        problems.append(f"WASM_BINDGEN_VERSION {args.get('WASM_BINDGEN_VERSION')}, Cargo.lock has {bindgen}")
    minimum = re.search(r'^rust-version = "([^"]+)"', CARGO_TOML, re.M)[1]
    rust = args.get("RUST_VERSION", "0")
    as_tuple = lambda text: tuple(int(part) for part in text.split("."))
    if as_tuple(rust)[:2] < as_tuple(minimum)[:2]:
        problems.append(f"RUST_VERSION {rust} is older than the workspace's rust-version {minimum}")
    return problems


@check("deploy/Dockerfile.dockerignore leaves out build output and keeps what the build needs")
def _():
    path = DEPLOY / "Dockerfile.dockerignore"
    if not path.exists():
        return ["missing"]
    patterns = {line.strip().rstrip("/") for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}
    problems = [f"does not leave out {p}" for p in ("target", "node_modules", ".git", ".data") if p not in patterns]
    needed = [".sqlx", "Cargo.lock", "Cargo.toml", "package-lock.json", "package.json", "migrations", "app", "server",
              "src", "style", "public", ".cargo"]
    problems += [f"leaves out {p}, which the build needs" for p in needed if p in patterns]
    return problems


# ---------------------------------------------------------------- 2. nginx
print("==> nginx (deploy/nginx)")
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
    if "WARTA_TRUSTED_PROXIES=127.0.0.1" not in read("scripts/cluster.sh"):
        problems.append("scripts/cluster.sh does not trust its nginx (WARTA_TRUSTED_PROXIES=127.0.0.1)")
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


@check("the cluster config, run as a non-root user in front of a healthy and a failing (502) instance: failover, ids, addresses, asset cache")
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
        log = (prefix / "logs/access.log").read_text()
        if "id=check-0" not in log or f"upstream={bad.address}, {good.address}" not in log:
            problems.append("the access log lacks the request id or the instances tried")
    finally:
        run_nginx("-s", "stop", prefix=prefix)
        for stand_in in (good, bad):
            stand_in.server.shutdown()
    return problems


shutil.rmtree(WORK, ignore_errors=True)
print(f"validate-deploy: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
sys.exit(1 if counts["failed"] else 0)
