#!/usr/bin/env bash
# Checks the deployment files under deploy/ against each other and against
# the code, without a cluster, Docker or a build:
#
#   1. every Kubernetes manifest parses and validates (strictly) against the
#      Kubernetes JSON schemas of an older and the newest supported version
#      (PyPI `kubernetes-validate`, which bundles them: no network needed),
#      and kustomization.yaml lists them;
#   2. CloudNativePG's Cluster (postgres.yaml) validates strictly against the
#      operator's CRD types (crates.io's k8s-crds-cloud-native-pg, read back
#      into a JSON schema) and is what the app's URLs name: the `-rw`
#      Service, a Service per instance for the replicas, the database, owner
#      and password; synchronous replication; room in max_connections;
#   3. `nginx -t` on the production config and on the local cluster's,
#      rendered into a temporary prefix; gixy-ng's analysis of both; and the
#      cluster config run in front of two stand-in instances (one healthy,
#      one answering 502) to see failover, request ids and client addresses;
#   4. the Dockerfile parses (PyPI `dockerfile-parse`): several stages, a
#      non-root numeric USER, the tool versions the project pins;
#   5. cross-checks with the code: every environment variable named in
#      deploy/k8s and the Dockerfile is one the app reads, probe paths are
#      routes, ports and the uid agree everywhere, grace periods outlast the
#      app's drain and the worker's grace, the metrics port is
#      WARTA_METRICS_ADDR's and behind no Service, the Grafana dashboard
#      charts every metric family the code names, and so on.
#
# The checks are the package scripts/validate_deploy/ (a module per
# section); this script sets up what they need in .data/tools/ (git-ignored):
# a Python venv from PyPI, the CRD types from crates.io (below), and, when
# nginx is not installed, Debian's nginx package unpacked without root
# (`apt-get download` + `dpkg -x`); without either, the nginx checks are
# skipped with a message. Ends with `N passed, N failed, N skipped`; exits
# non-zero when anything failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOOLS="$ROOT/.data/tools"
VENV="$TOOLS/venv"
PY_REQUIREMENTS="PyYAML==6.0.3 kubernetes-validate==1.37.0 dockerfile-parse==2.0.1 gixy-ng==0.2.59"

LOG_PREFIX=validate-deploy
# shellcheck source=scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/debian-tool.sh
. "$ROOT/scripts/lib/debian-tool.sh"

command -v python3 >/dev/null || die "python3 is needed"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements" 2>/dev/null)" != "$PY_REQUIREMENTS" ]; then
  log "installing $PY_REQUIREMENTS into .data/tools/venv"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086 # one word per requirement
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $PY_REQUIREMENTS
  echo "$PY_REQUIREMENTS" >"$VENV/.requirements"
fi

NGINX="$(command -v nginx || true)"
if [ -z "$NGINX" ] && [ -x "$TOOLS/nginx/usr/sbin/nginx" ]; then
  NGINX="$TOOLS/nginx/usr/sbin/nginx"
fi
if [ -z "$NGINX" ] && debian_tool nginx; then
  NGINX="$TOOLS/nginx/usr/sbin/nginx"
fi
if [ -n "$NGINX" ] && ! "$NGINX" -v >/dev/null 2>&1; then
  log "$NGINX does not run here; the nginx checks are skipped"
  NGINX=""
fi

# CloudNativePG's CRDs (postgres.yaml's Cluster), as Rust types: crates.io's
# k8s-crds-cloud-native-pg, which kopium generates from the operator's CRDs,
# a version per operator release (no registry reachable here ships the CRD
# YAML itself). `cargo info` brings the package into cargo's cache to read
# it; its src/ is unpacked into .data/tools once its checksum is the one
# pinned here (the registry index's). Without cargo or the registry, the
# schema check is skipped with a message; the other Postgres checks run.
CNPG_CRATE=k8s-crds-cloud-native-pg
CNPG_VERSION=1.30.0
CNPG_SHA256=0e88280d9af46d7c3539148d2e66499e67d58d52eae904ecc4d2ad4d307260ac
CNPG_TYPES="$TOOLS/$CNPG_CRATE-$CNPG_VERSION/src"

cnpg_crate_file() {
  local file
  for file in "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$CNPG_CRATE-$CNPG_VERSION.crate"; do
    [ -f "$file" ] && { echo "$file"; return; }
  done
  return 0
}

cnpg_types() {
  local crate away
  [ -d "$CNPG_TYPES" ] && return
  command -v cargo >/dev/null || return 1
  crate="$(cnpg_crate_file)"
  if [ -z "$crate" ]; then
    log "fetching $CNPG_CRATE $CNPG_VERSION (CloudNativePG's CRD types) with cargo"
    # Outside the workspace, so cargo reads nothing of the project's.
    away="$(mktemp -d)"
    (cd "$away" && cargo info --quiet "$CNPG_CRATE@$CNPG_VERSION" >/dev/null 2>&1) || true
    rmdir "$away"
    crate="$(cnpg_crate_file)"
  fi
  [ -n "$crate" ] || return 1
  echo "$CNPG_SHA256  $crate" | sha256sum --check --status \
    || die "$crate is not the $CNPG_CRATE $CNPG_VERSION this script pins (sha256 differs)"
  rm -rf "$TOOLS/$CNPG_CRATE-$CNPG_VERSION"
  mkdir -p "$TOOLS/$CNPG_CRATE-$CNPG_VERSION.partial"
  tar -xzf "$crate" -C "$TOOLS/$CNPG_CRATE-$CNPG_VERSION.partial" --strip-components=1 "$CNPG_CRATE-$CNPG_VERSION/src"
  mv "$TOOLS/$CNPG_CRATE-$CNPG_VERSION.partial" "$TOOLS/$CNPG_CRATE-$CNPG_VERSION"
}

if ! cnpg_types; then
  log "could not get $CNPG_CRATE $CNPG_VERSION from crates.io; the CloudNativePG schema check is skipped"
  CNPG_TYPES=""
fi

PYTHONPATH="$ROOT/scripts" exec "$VENV/bin/python" -m validate_deploy "$ROOT" "$NGINX" "$CNPG_TYPES"
