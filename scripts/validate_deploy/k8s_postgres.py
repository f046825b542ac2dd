"""1. Kubernetes, Postgres: CloudNativePG's resources validate strictly
against the operator's CRD types, and the Cluster is the database the
app's URLs name (Services, database, owner, password), replicates
synchronously, has room for every pod's pools and the settings the local
cluster runs with."""

import re
from urllib.parse import urlsplit

import jsonschema
import kubernetes_validate
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

from . import kopium
from .common import CNPG_TYPES, Skip, check, read
from .facts import DEFAULT_DB_POOL, worker_queue_connections
from .k8s import (
    CRD_API_VERSIONS, RESOURCES, config_data, container_env, find, from_crd, pod_spec, postgres_services,
    secret_doc, secret_example, workload,
)

print("==> Postgres under CloudNativePG (deploy/k8s/postgres.yaml)")

# The libraries CloudNativePG adds to shared_preload_libraries itself once
# a `<library>.*` setting is present (its "managed extensions").
MANAGED_LIBRARIES = {"auto_explain", "pg_stat_statements", "pgaudit", "pg_failover_slots"}
# The Services the operator makes for a Cluster (`-any` only when asked).
OPERATOR_SERVICES = ("rw", "ro", "r", "any")


def the_cluster():
    clusters = find("Cluster")
    if len(clusters) != 1:
        raise RuntimeError(f"{len(clusters)} CloudNativePG Clusters in deploy/k8s; these checks expect one")
    return clusters[0]


def database_env():
    return {**config_data(), **secret_example()}


def service_name(url):
    """The Service a URL's host names: `name`, `name.namespace`, or
    `name.namespace.svc.cluster.local`."""
    return (urlsplit(url).hostname or "").split(".")[0]


@check("every CloudNativePG resource validates strictly (no unknown field) against the operator's CRD types")
def _():
    if CNPG_TYPES is None:
        raise Skip("the CRD types (crates.io's k8s-crds-cloud-native-pg) could not be fetched; see validate-deploy.sh")
    schemas = kopium.schemas(CNPG_TYPES)
    latest = kubernetes_validate.latest_version()
    definitions = schema_contents(f"kubernetes-json-schema/v{latest}-local-strict/_definitions.json", latest)
    registry = Resource.from_contents(definitions) @ Registry()
    problems, validated = [], 0
    for name, resource in RESOURCES:
        if not from_crd(resource):
            continue
        where = f"{name}: {resource['kind']}/{resource['metadata']['name']}"
        schema = schemas.get((resource["apiVersion"], resource["kind"]))
        if not schema:
            problems.append(f"{where}: {CNPG_TYPES.parent.name} has no {resource['kind']} in {resource['apiVersion']}")
            continue
        validator = jsonschema.Draft202012Validator(schema, registry=registry)
        for error in sorted(validator.iter_errors(resource), key=lambda error: list(map(str, error.absolute_path))):
            path = "/".join(str(part) for part in error.absolute_path)
            problems.append(f"{where}: {path or '(top)'}: {error.message[:240]}")
        validated += 1
    if not validated and not problems:
        problems.append(f"no {', '.join(CRD_API_VERSIONS)} resource in deploy/k8s")
    return problems


@check("Cluster: 3 instances or more, commits acknowledged only once a standby has them, failover only to a standby that has them all")
def _():
    cluster = the_cluster()
    spec = cluster["spec"]
    instances = spec.get("instances", 1)
    postgresql = spec.get("postgresql", {})
    synchronous = postgresql.get("synchronous")
    problems = []
    if instances < 3:
        problems.append(f"instances: {instances}; a standby to promote and another to acknowledge commits meanwhile need 3")
    if "minSyncReplicas" in spec or "maxSyncReplicas" in spec:
        problems.append("minSyncReplicas/maxSyncReplicas are deprecated: use postgresql.synchronous")
    if not synchronous:
        problems.append("no postgresql.synchronous: a commit is acknowledged before any standby has it, and a failover loses it")
    else:
        number = synchronous.get("number", 0)
        if number < 1:
            problems.append(f"synchronous.number is {number}")
        elif instances - 1 <= number:
            problems.append(f"every one of the {instances - 1} standbys must acknowledge: one away stops all writes")
        if synchronous.get("dataDurability", "required") != "required":
            problems.append("dataDurability is not `required`: with the standbys away the primary acknowledges alone")
        if not synchronous.get("failoverQuorum"):
            problems.append("failoverQuorum is off: losing the primary and its acknowledging standby together promotes one that lacks commits")
    commit = str(postgresql.get("parameters", {}).get("synchronous_commit", "on"))
    if commit not in ("on", "remote_write", "remote_apply"):
        problems.append(f"synchronous_commit is {commit}: commits do not wait for a standby")
    return problems


@check("DATABASE_URL is the Cluster's `-rw` Service (the primary, wherever it is) with the database, owner and password it is bootstrapped with")
def _():
    cluster = the_cluster()
    name = cluster["metadata"]["name"]
    initdb = cluster["spec"].get("bootstrap", {}).get("initdb")
    env = database_env()
    problems = []
    if not initdb:
        return ["the Cluster is not bootstrapped with initdb: nothing says which database and owner the app gets"]
    url = urlsplit(env.get("DATABASE_URL", ""))
    if service_name(env.get("DATABASE_URL", "")) != f"{name}-rw":
        problems.append(f"DATABASE_URL names {url.hostname}, not {name}-rw (CloudNativePG moves that one to the new primary on failover)")
    if url.port not in (None, 5432):
        problems.append(f"DATABASE_URL: port {url.port}, the operator's Services listen on 5432")
    if url.path.lstrip("/") != initdb.get("database"):
        problems.append(f"DATABASE_URL names database {url.path.lstrip('/')!r}, the Cluster creates {initdb.get('database')!r}")
    if url.username != initdb.get("owner"):
        problems.append(f"DATABASE_URL connects as {url.username!r}, the database's owner is {initdb.get('owner')!r}")
    secret_name = initdb.get("secret", {}).get("name")
    secret = secret_doc(secret_name) if secret_name else None
    if not secret_name:
        problems.append(f"no bootstrap.initdb.secret: the operator makes a random password (in {name}-app) that DATABASE_URL cannot know")
    elif not secret:
        problems.append(f"the owner's Secret {secret_name} is not in secret.example.yaml")
    else:
        data = secret.get("stringData", {})
        if secret.get("type") != "kubernetes.io/basic-auth":
            problems.append(f"Secret {secret_name} is {secret.get('type', 'Opaque')}; the operator wants kubernetes.io/basic-auth")
        if data.get("username") != initdb.get("owner"):
            problems.append(f"Secret {secret_name}: username {data.get('username')!r}, the owner is {initdb.get('owner')!r}")
        if data.get("password") != url.password:
            problems.append(f"Secret {secret_name}: its password is not DATABASE_URL's")
        if "CHANGE-ME" not in data.get("password", ""):
            problems.append(f"Secret {secret_name}: the password is not a CHANGE-ME placeholder")
    return problems


@check("DATABASE_REPLICA_URLS: one URL per instance, each a Service of postgres.yaml that reaches that instance alone, and only as a replica")
def _():
    cluster = the_cluster()
    name = cluster["metadata"]["name"]
    instances = cluster["spec"].get("instances", 1)
    env = database_env()
    primary = urlsplit(env.get("DATABASE_URL", ""))
    urls = [url.strip() for url in env.get("DATABASE_REPLICA_URLS", "").split(",") if url.strip()]
    services = {res["metadata"]["name"]: res for res in postgres_services()}
    problems = []
    if not urls:
        problems.append("no DATABASE_REPLICA_URLS: every public read goes to the primary")
    reached = []
    for url in urls:
        parts, service = urlsplit(url), service_name(url)
        if (parts.username, parts.password, parts.path) != (primary.username, primary.password, primary.path):
            problems.append(f"{service}: not DATABASE_URL's user, password and database")
        if service in (f"{name}-ro", f"{name}-r", f"{name}-any"):
            problems.append(f"{service} balances connections over instances: the app's replay check and its reads could reach different standbys")
            continue
        if service == f"{name}-rw":
            problems.append(f"{service} is the primary")
            continue
        if service not in services:
            problems.append(f"{service}: no such Service in deploy/k8s (CloudNativePG makes only {name}-rw, -ro and -r)")
            continue
        spec = services[service]["spec"]
        selector = spec["selector"]
        instance = selector.get("cnpg.io/instanceName", "")
        if selector.get("cnpg.io/cluster") != name or not re.fullmatch(rf"{re.escape(name)}-\d+", instance):
            problems.append(f"Service {service} selects no single instance of {name} (cnpg.io/instanceName)")
            continue
        if selector.get("cnpg.io/instanceRole") != "replica":
            problems.append(f"Service {service} reaches {instance} as the primary too (no cnpg.io/instanceRole: replica)")
        port = parts.port or 5432
        if not any(p["port"] == port and p.get("targetPort", p["port"]) in ("postgresql", 5432) for p in spec["ports"]):
            problems.append(f"Service {service} has no port {port} to the instance's `postgresql` port")
        reached.append(instance)
    expected = [f"{name}-{n}" for n in range(1, instances + 1)]
    problems += [f"{instance} has no replica URL" for instance in expected if instance not in reached]
    problems += [f"{instance} has two replica URLs" for instance in sorted(set(reached)) if reached.count(instance) > 1]
    taken = [f"{name}-{suffix}" for suffix in OPERATOR_SERVICES if f"{name}-{suffix}" in {s["metadata"]["name"] for s in find("Service")}]
    problems += [f"Service {service}: the operator's name" for service in taken]
    return problems


@check("max_connections holds every pool at the HPA's maximum: web pods, workers with their queue connections, the migration Job")
def _():
    cluster = the_cluster()
    parameters = cluster["spec"].get("postgresql", {}).get("parameters", {})
    limit = int(parameters.get("max_connections", 100)) - int(parameters.get("superuser_reserved_connections", 3))

    def pools(command):
        res = workload(command)
        env = container_env(res, pod_spec(res)["containers"][0])
        pool = int(env.get("WARTA_DB_MAX_CONNECTIONS", DEFAULT_DB_POOL))
        return pool, int(env.get("WARTA_DB_REPLICA_MAX_CONNECTIONS", pool))

    web = workload("serve")
    hpas = [h for h in find("HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == web["metadata"]["name"]]
    web_pods = hpas[0]["spec"]["maxReplicas"] if hpas else web["spec"].get("replicas", 1)
    worker_pods = workload("worker")["spec"].get("replicas", 1)
    (web_pool, web_replica_pool), (worker_pool, _) = pools("serve"), pools("worker")
    migrate_pool, _ = pools("migrate")
    on_primary = web_pods * web_pool + worker_pods * (worker_pool + worker_queue_connections()) + migrate_pool
    # Each web pod has a pool per replica URL; the worker reads no replica.
    on_standby = web_pods * web_replica_pool
    problems = []
    if on_primary > limit:
        problems.append(f"the primary may get {on_primary} connections ({web_pods} web x {web_pool}, {worker_pods} workers x "
                        f"{worker_pool}+{worker_queue_connections()}, the Job's {migrate_pool}); max_connections leaves {limit}")
    if on_standby > limit:
        problems.append(f"a standby may get {on_standby} connections ({web_pods} web x {web_replica_pool}); max_connections leaves {limit}")
    return problems


@check("the Cluster runs with the local cluster's Postgres settings (scripts/lib/cluster-postgres.sh): TOAST compression, hot_standby_feedback, preloaded libraries, synchronous_commit")
def _():
    local = read("scripts/lib/cluster-postgres.sh")
    block = re.search(r"\n(\s+)parameters:\n((?:\1\s+.*\n)+)", local)
    if not block:
        raise RuntimeError("no `parameters:` block in scripts/lib/cluster-postgres.sh: update this check")
    local_settings = dict(re.findall(r"^\s+(\w+): '?([^'\n#]*?)'?\s*$", block[2], re.M))
    postgresql = the_cluster()["spec"].get("postgresql", {})
    parameters = {key: str(value) for key, value in postgresql.get("parameters", {}).items()}
    defaults = {"synchronous_commit": "on", "hot_standby_feedback": "off", "default_toast_compression": "pglz"}
    problems = []
    for key in ("default_toast_compression", "hot_standby_feedback", "synchronous_commit"):
        if key in local_settings and parameters.get(key, defaults[key]) != local_settings[key]:
            problems.append(f"{key} is {parameters.get(key, defaults[key])}, the local cluster's {local_settings[key]}")
    preloaded = set(postgresql.get("shared_preload_libraries", []))
    for library in filter(None, re.split(r"[,\s]+", local_settings.get("shared_preload_libraries", ""))):
        managed = library in MANAGED_LIBRARIES and any(key.startswith(f"{library}.") for key in parameters)
        if library not in preloaded and not managed:
            problems.append(f"{library} is not preloaded: list it in shared_preload_libraries or set a {library}.* parameter")
    if "shared_preload_libraries" in parameters:
        problems.append("shared_preload_libraries is the operator's parameter: use postgresql.shared_preload_libraries")
    return problems
