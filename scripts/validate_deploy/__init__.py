"""The checks of scripts/validate-deploy.sh, which sets up their tools (a
venv with PyYAML, kubernetes-validate, dockerfile-parse and gixy-ng;
nginx) and runs this package with the venv's Python, scripts/ on its path:

    python -m validate_deploy ROOT NGINX

ROOT is the checkout, NGINX an nginx binary or "" to skip its checks.
__main__ runs the sections in order: Kubernetes (k8s_files, k8s_pods,
k8s_traffic), monitoring, the Dockerfile, nginx (nginx_config, nginx_runs).
What they compare against is read once, in facts (the code), dockerfile
(the parsed Dockerfile), k8s (the manifests) and nginx_tools."""
