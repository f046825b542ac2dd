"""The checks of scripts/validate-deploy.sh, which sets up their tools (a
venv with PyYAML, kubernetes-validate, dockerfile-parse and gixy-ng;
nginx; CloudNativePG's CRD types) and runs this package with the venv's
Python, scripts/ on its path:

    python -m validate_deploy ROOT NGINX CNPG_TYPES

ROOT is the checkout, NGINX an nginx binary or "" to skip its checks,
CNPG_TYPES the source folder of crates.io's k8s-crds-cloud-native-pg or ""
to skip the CloudNativePG schema check. __main__ runs the sections in
order: Kubernetes (k8s_files, k8s_pods, k8s_traffic, k8s_postgres),
monitoring, the Dockerfile, nginx (nginx_config, nginx_runs). What they
compare against is read once, in facts (the code), dockerfile (the parsed
Dockerfile), k8s (the manifests), kopium (the CRD types) and nginx_tools."""
