"""1. Kubernetes, the traffic: Services, Ingress, the metrics port,
autoscaling and disruption budgets."""

from .common import check, size_bytes
from .facts import APP_ENV, DEFAULT_PORT, app_body_limit
from .k8s import app_services, container_env, find, pod_spec, workload


@check("the app's Service selects the web pods only, on a port the web container has; the Ingress points at it")
def _():
    problems = []
    web, worker = workload("serve"), workload("worker")
    web_labels = web["spec"]["template"]["metadata"]["labels"]
    worker_labels = worker["spec"]["template"]["metadata"]["labels"]
    ports = {p.get("name"): p["containerPort"] for p in pod_spec(web)["containers"][0].get("ports", [])}
    # Postgres' Services (postgres.yaml) are k8s_postgres' to check.
    services = {res["metadata"]["name"]: res for res in app_services()}
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


ALLOW_LIST = "nginx.ingress.kubernetes.io/whitelist-source-range"
PRIVATE = {"127.0.0.1/32", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}


@check("Ingress: /readyz is reachable through the controller from private addresses only")
def _():
    for ingress in find("Ingress"):
        allowed = {part.strip() for part in ingress["metadata"].get("annotations", {}).get(ALLOW_LIST, "").split(",") if part.strip()}
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                if path["path"] == "/readyz" and path.get("pathType") == "Exact" and allowed and allowed <= PRIVATE:
                    return []
    return ["no Ingress gives /readyz (pathType Exact) an allow-list of private addresses: the public prefix route would expose it"]


@check("Ingress: retries idempotent requests only, and lets the app answer oversized bodies itself")
def _():
    problems = []
    limit = app_body_limit()
    for ingress in find("Ingress"):
        annotations = ingress["metadata"].get("annotations", {})
        if ALLOW_LIST in annotations:
            continue  # the internal paths: no bodies, no retries
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
