"""The manifests of deploy/k8s, as k8s_files loads them, and the helpers
the Kubernetes and monitoring checks read them with."""

DOCS = {}  # file name -> documents
RESOURCES = []  # (file name, resource), the Kustomization aside


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


def ingress_seconds(annotation, default):
    for res in find("Ingress"):
        value = res["metadata"].get("annotations", {}).get(f"nginx.ingress.kubernetes.io/{annotation}")
        if value:
            return int(value)
    return default
