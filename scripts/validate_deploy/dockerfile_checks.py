"""3. The Dockerfile: stages, USER, base images, entry point, ENV, where
the site lands, how it is built, and the tool versions."""

import json
import re

from .common import DEPLOY, check, read
from .dockerfile import DOCKERFILE_ERROR, FINAL_USER, STAGES, all_args, env_pairs, final
from .facts import CARGO_LOCK, CARGO_TOML, DEFAULT_PORT, HASH_FILE, KNOWN_ENV, SUBCOMMANDS
from .k8s import app_ports, pod_spec, workload

print("==> Dockerfile (deploy/Dockerfile)")


@check("the Dockerfile parses (dockerfile-parse) into several stages")
def _():
    if DOCKERFILE_ERROR:
        return [f"{type(DOCKERFILE_ERROR).__name__}: {DOCKERFILE_ERROR}"]
    if len(STAGES) < 2:
        return [f"{len(STAGES)} stage(s): the build tools would ship in the image"]


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
