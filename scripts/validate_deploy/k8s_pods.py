"""1. Kubernetes, the pods: subcommands, probes, ports, grace periods,
security contexts, what the app writes, and production settings."""

import re

from .common import check
from .dockerfile import dockerfile_uid
from .facts import APP_ENV, DEFAULT_PORT, DEFAULT_WORKER_GRACE, ROUTES, SUBCOMMANDS
from .k8s import app_ports, config_data, container_env, find, ingress_seconds, pod_spec, secret_example, subcommand, workload


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
    required = [
        "DATABASE_URL", "REDIS_URL", "WARTA_SESSION_REDIS_URL", "WARTA_SECRET", "WARTA_PUBLIC_URL", "SMTP_URL",
        "WARTA_MEDIA_URL",
    ]
    problems = [f"{name} is missing" for name in required if name not in env]
    if env.get("WARTA_SESSION_REDIS_URL") and env.get("WARTA_SESSION_REDIS_URL") == env.get("REDIS_URL"):
        problems.append("WARTA_SESSION_REDIS_URL is REDIS_URL: sessions must live apart from the cache (production refuses it)")
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
    for name in ("REDIS_URL", "WARTA_SESSION_REDIS_URL"):
        if example.get(name, "").startswith("rediss://"):
            problems.append(f"{name} is rediss://, which this build of the Redis clients does not support")
    return problems
