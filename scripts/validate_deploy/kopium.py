"""JSON schemas for custom resources, read back from the Rust types that
kopium generates from their CustomResourceDefinitions.

No registry reachable here ships CloudNativePG's CRDs as YAML or JSON, but
crates.io's k8s-crds-cloud-native-pg ships them run through kopium, one
release per operator release: a struct per object of the CRD's
openAPIV3Schema, a field per property (`rename` gives the property's name,
`Option` marks it optional), a unit enum per enumerated string. Reading
that back gives each resource's tree of properties, what each requires and
which values its enumerations allow; objects get `additionalProperties:
false`, so an unknown or misspelt field fails, as kubernetes-validate's
strict schemas make it fail for built-in kinds. Patterns, bounds and the
CRD's CEL rules are not in the types, so they are not checked here.

kopium's output is regular (rustfmt'ed, one item per `pub struct` or `pub
enum` at the left margin); anything this reader does not know raises, so a
new crate version that changes the shape is noticed, not skipped."""

import re
from pathlib import Path

# kubernetes-validate's definitions (their $id), for ObjectMeta
OBJECT_META = "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
INT32 = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
SCALARS = {
    "String": {"type": "string"},
    "bool": {"type": "boolean"},
    "i32": INT32,
    "i64": {"type": "integer"},
    "f64": {"type": "number"},
    "f32": {"type": "number"},
    # x-kubernetes-int-or-string (quantities, ports by name or number)
    "IntOrString": {"type": ["integer", "string"]},
    # metav1.Condition, in status only
    "Condition": {"type": "object"},
    "serde_json::Value": {},
}
ITEM = re.compile(r"^pub (struct|enum) (\w+)\s*\{(?:\}$|\n(.*?)^\})", re.S | re.M)
KUBE_ATTRS = re.compile(r"#\[kube\((.*?)\)\]\s*", re.S)


def _without_comments(text):
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def _entries(body):
    """Splits a struct's or enum's body into (attributes, declaration)
    pairs: attributes are the `#[…]` before a declaration, which ends at a
    comma outside brackets (`Option<BTreeMap<String, String>>,`)."""
    entries, attrs, i = [], [], 0
    while i < len(body):
        if body[i].isspace():
            i += 1
        elif body.startswith("#[", i):
            depth, j = 0, i + 1
            while True:
                depth += {"[": 1, "]": -1}.get(body[j], 0)
                j += 1
                if depth == 0:
                    break
            attrs.append(body[i:j])
            i = j
        else:
            depth, j = 0, i
            while j < len(body) and not (body[j] == "," and depth == 0):
                depth += {"<": 1, ">": -1, "(": 1, ")": -1}.get(body[j], 0)
                j += 1
            entries.append((" ".join(attrs), " ".join(body[i:j].split())))
            attrs, i = [], j + 1
    if attrs:
        raise ValueError(f"attributes without an item: {attrs}")
    return entries


def _serde(attrs, key):
    match = re.search(rf'#\[serde\([^\]]*\b{key}\s*=\s*"([^"]*)"', attrs)
    return match[1] if match else None


def _has_serde_flag(attrs, flag):
    return any(re.search(rf"\b{flag}\b(?!\s*=)", serde) for serde in re.findall(r"#\[serde\(([^\]]*)\)\]", attrs))


class Types:
    """The structs and enums of one kopium-generated file, as JSON schema
    definitions, and the custom resource they describe (`#[kube(…)]`)."""

    def __init__(self, text):
        text = _without_comments(text)
        self.defs, self.refs = {}, set()
        self.resource = None
        for kind, name, body in ITEM.findall(text):
            self.defs[name] = self._enum(name, body) if kind == "enum" else self._struct(name, body)
        for match in re.finditer(r"((?:#\[kube\(.*?\)\]\s*)+)(?:#\[[^\]]*\]\s*)*pub struct (\w+)", text, re.S):
            attrs = " ".join(KUBE_ATTRS.findall(match[1]))
            found = {key: value for key, value in re.findall(r'(\w+)\s*=\s*"([^"]*)"', attrs)}
            if {"group", "version", "kind"} <= found.keys():
                self.resource = {"apiVersion": f"{found['group']}/{found['version']}", "kind": found["kind"],
                                 "spec": match[2], "status": found.get("status")}
        if not self.resource:
            raise ValueError("no #[kube(group, version, kind)] struct")

    def _struct(self, name, body):
        properties, required = {}, []
        for attrs, declaration in _entries(body):
            field = re.fullmatch(r"pub (?:r#)?(\w+): (.+)", declaration)
            if not field:
                raise ValueError(f"{name}: a field kopium would not write: {declaration}")
            if _has_serde_flag(attrs, "flatten"):
                raise ValueError(f"{name}.{field[1]}: #[serde(flatten)] is not supported")
            key = _serde(attrs, "rename") or field[1]
            # rustfmt wraps long generics: `Option<\n Vec<…>,\n>`
            rust = re.sub(r"\s+", "", field[2]).replace(",>", ">")
            optional = rust.startswith("Option<")
            if optional:
                rust = rust[len("Option<"):-1]
            elif not _has_serde_flag(attrs, "default"):
                required.append(key)
            properties[key] = self._type(rust, f"{name}.{key}")
        schema = {"type": "object", "properties": properties}
        if properties:  # kopium's `{}` is an object the CRD leaves open
            schema["additionalProperties"] = False
        if required:
            schema["required"] = required
        return schema

    def _enum(self, name, body):
        values = []
        for attrs, variant in _entries(body):
            if not re.fullmatch(r"(?:r#)?\w+", variant):
                raise ValueError(f"{name}: a variant with data ({variant}) is not supported")
            values.append(_serde(attrs, "rename") or variant.removeprefix("r#"))
        return {"type": "string", "enum": values}

    def _type(self, rust, where):
        generic = re.fullmatch(r"(Vec|BTreeMap|HashMap)<(.+)>", rust)
        if generic and generic[1] == "Vec":
            return {"type": "array", "items": self._type(generic[2], where)}
        if generic:
            key, value = generic[2].split(",", 1)
            if key != "String":
                raise ValueError(f"{where}: a map keyed by {key}")
            return {"type": "object", "additionalProperties": self._type(value, where)}
        if rust in SCALARS:
            return SCALARS[rust]
        if re.fullmatch(r"[A-Z]\w*", rust):
            self.refs.add(rust)
            return {"$ref": f"#/$defs/{rust}"}
        raise ValueError(f"{where}: a type this reader does not know: {rust}")

    def schema(self):
        """The whole resource's schema; `metadata` refers to Kubernetes'
        ObjectMeta (kubernetes-validate's definitions)."""
        resource = self.resource
        properties = {
            "apiVersion": {"const": resource["apiVersion"]},
            "kind": {"const": resource["kind"]},
            "metadata": {"$ref": OBJECT_META},
            "spec": {"$ref": f"#/$defs/{resource['spec']}"},
        }
        if resource["status"]:
            properties["status"] = {"$ref": f"#/$defs/{resource['status']}"}
        missing = (self.refs | {resource["spec"], resource["status"] or resource["spec"]}) - self.defs.keys()
        if missing:
            raise ValueError(f"types used but not defined: {sorted(missing)}")
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": properties,
            "required": ["apiVersion", "kind", "metadata", "spec"],
            "additionalProperties": False,
            "$defs": self.defs,
        }


def schemas(src):
    """{(apiVersion, kind): JSON schema} for every custom resource of a
    kopium-generated crate's source folder."""
    found = {}
    for path in sorted(Path(src).glob("*.rs")):
        text = path.read_text()
        if "#[kube(" not in text:
            continue
        types = Types(text)
        found[(types.resource["apiVersion"], types.resource["kind"])] = types.schema()
    return found
