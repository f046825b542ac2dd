#!/usr/bin/env bash
# Checks the deployment files under deploy/ against each other and against
# the code, without a cluster, Docker or a build:
#
#   1. every Kubernetes manifest parses and validates (strictly) against the
#      Kubernetes JSON schemas of an older and the newest supported version
#      (PyPI `kubernetes-validate`, which bundles them: no network needed),
#      and kustomization.yaml lists them;
#   2. `nginx -t` on the production config and on the local cluster's,
#      rendered into a temporary prefix; gixy-ng's analysis of both; and the
#      cluster config run in front of two stand-in instances (one healthy,
#      one answering 502) to see failover, request ids and client addresses;
#   3. the Dockerfile parses (PyPI `dockerfile-parse`): several stages, a
#      non-root numeric USER, the tool versions the project pins;
#   4. cross-checks with the code: every environment variable named in
#      deploy/k8s and the Dockerfile is one the app reads, probe paths are
#      routes, ports and the uid agree everywhere, grace periods outlast the
#      app's drain and the worker's grace, the metrics port is
#      WARTA_METRICS_ADDR's and behind no Service, the Grafana dashboard
#      charts every metric family the code names, and so on.
#
# The checks are the package scripts/validate_deploy/ (a module per
# section); this script sets up what they need in .data/tools/ (git-ignored):
# a Python venv from PyPI, and, when nginx is not installed, Debian's nginx
# package unpacked without root (`apt-get download` + `dpkg -x`); without
# either, the nginx checks are skipped with a message. Ends with `N passed, N failed, N skipped`; exits
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

PYTHONPATH="$ROOT/scripts" exec "$VENV/bin/python" -m validate_deploy "$ROOT" "$NGINX"
