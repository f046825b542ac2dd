"""The manifests of deploy/k8s, as k8s_files loads them, and the helpers
the Kubernetes and monitoring checks read them with."""

DOCS = {}  # file name -> documents
RESOURCES = []  # (file name, resource), the Kustomization aside

# Kinds whose schema is an operator's CustomResourceDefinition, not
# Kubernetes': k8s_postgres validates them against the operator's types.
CRD_API_VERSIONS = {"postgresql.cnpg.io/v1": "CloudNativePG"}


def from_crd(resource):
    return resource["apiVersion"] in CRD_API_VERSIONS


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
    """The variables of secret.example.yaml's Secrets that pods read as
    their environment (envFrom); the database owner's is not one."""
    names = {
        source["secretRef"]["name"]
        for res in find("Deployment") + find("Job")
        for container in pod_spec(res)["containers"]
        for source in container.get("envFrom", [])
        if "secretRef" in source
    }
    data = {}
    for doc in DOCS.get("secret.example.yaml") or []:
        if doc["metadata"]["name"] in names:
            data.update(doc.get("stringData", {}))
            data.update({key: "(base64)" for key in doc.get("data", {})})
    return data


def secret_doc(name):
    for doc in DOCS.get("secret.example.yaml") or []:
        if doc["metadata"]["name"] == name:
            return doc
    return None


def postgres_services():
    """The Services that select CloudNativePG's instances (postgres.yaml)."""
    return [res for res in find("Service") if "cnpg.io/cluster" in res["spec"].get("selector", {})]


def app_services():
    return [res for res in find("Service") if res not in postgres_services()]


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
