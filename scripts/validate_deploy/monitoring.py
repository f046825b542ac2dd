"""Monitoring: the Grafana dashboard charts every metric family, and
Prometheus scrapes the pods as they serve their metrics."""

import json

import yaml

from .common import DEPLOY, check
from .facts import METRIC_FAMILIES
from .k8s import pod_spec, secret_example, workload

print("==> Monitoring (deploy/prometheus, deploy/grafana)")
PROMETHEUS = DEPLOY / "prometheus"


@check("the Grafana dashboard (deploy/grafana/warta.json) parses and charts every metric family the code names")
def _():
    if not METRIC_FAMILIES:
        return ["no `pub const …: &str = \"warta_…\"` metric names found in server/src/monitoring/ and app/src/ssr/cache.rs"]
    dashboard = json.loads((DEPLOY / "grafana/warta.json").read_text())
    panels = dashboard.get("panels", [])
    panels += [inner for panel in panels for inner in panel.get("panels", [])]
    queries = " ".join(target.get("expr", "") for panel in panels for target in panel.get("targets", []))
    return [f"{family} is charted by no panel" for family in sorted(METRIC_FAMILIES) if family not in queries]


@check("Prometheus: prometheus.yml and the PodMonitor parse, scrape /metrics with the bearer token, on the pods' `metrics` port")
def _():
    problems = []
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    for job in config.get("scrape_configs", []):
        authorization = job.get("authorization", {})
        if authorization.get("type", "Bearer") != "Bearer" or not authorization.get("credentials_file"):
            problems.append(f"prometheus.yml: job {job.get('job_name')} sends no bearer token from a file")
        if job.get("metrics_path", "/metrics") != "/metrics":
            problems.append(f"prometheus.yml: job {job.get('job_name')} scrapes {job['metrics_path']}")
    monitor = yaml.safe_load((PROMETHEUS / "podmonitor.yaml").read_text())
    secrets = secret_example()
    for endpoint in monitor["spec"]["podMetricsEndpoints"]:
        credentials = endpoint.get("authorization", {}).get("credentials", {})
        if credentials.get("name") != "warta-secrets" or credentials.get("key") not in secrets:
            problems.append(f"podmonitor.yaml: the token is not a key of the warta-secrets Secret ({credentials})")
        if endpoint.get("path", "/metrics") != "/metrics":
            problems.append(f"podmonitor.yaml: scrapes {endpoint['path']}")
        for command in ("serve", "worker"):
            ports = {p.get("name") for p in pod_spec(workload(command))["containers"][0].get("ports", [])}
            if endpoint.get("port") not in ports:
                problems.append(f"podmonitor.yaml: port {endpoint.get('port')} is not a port of the `warta {command}` pods")
    return problems
