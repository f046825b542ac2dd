"""1. Kubernetes, the files: every manifest parses and validates against the
Kubernetes schemas, kustomization.yaml lists them, and the environment
they name is the app's."""

import kubernetes_validate
import yaml

from .common import K8S, check
from .facts import KNOWN_ENV
from .k8s import DOCS, RESOURCES, find, from_crd, pod_spec, secret_example

# The oldest Kubernetes still commonly run, and the newest schemas bundled.
K8S_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]

print("==> Kubernetes manifests (deploy/k8s)")


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

    @check(f"every resource validates strictly against the Kubernetes {version} schemas (CloudNativePG's kinds: against its CRD, below)")
    def _():
        problems = []
        for name, resource in RESOURCES:
            if from_crd(resource):
                continue
            try:
                kubernetes_validate.validate(resource, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = "/".join(str(part) for part in error.path)
                problems.append(f"{name}: {resource['kind']}/{resource['metadata']['name']}: {where}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                problems.append(f"{name}: {error}")
        return problems


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
