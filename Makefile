# Warta. `make run` serves the app; `make test` proves it. Both set up
# everything they need on a fresh Debian/Ubuntu machine with Rust and Node.js.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run dev test check stop services tools build seed bench bench-lookups bench-jobs bench-signin explain-large sqlx-prepare fmt clean-data validate-deploy cluster cluster-stop cluster-test

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-14s %s\n", $$1, $$2 }'

run: ## Set everything up, build a release server and serve it at http://127.0.0.1:$${PORT:-3000}
	@scripts/run.sh

dev: ## Watch the sources, rebuild and reload on change (cargo leptos watch)
	@scripts/run.sh --dev

test: ## Set everything up and run every check: fmt, clippy, unit, integration, Playwright
	@scripts/test.sh

check: ## cargo fmt --check, no module import cycles, clippy -D warnings for the server and the wasm build (as in make test)
	@scripts/check.sh

stop: ## Stop the private Postgres and Redis under .data/
	@scripts/services.sh stop

services: ## Start the private Postgres and Redis (prints their URLs)
	@scripts/services.sh start

tools: ## Install the build tools (wasm target, cargo-leptos, wasm-bindgen, npm packages)
	@scripts/setup-tools.sh

build: tools ## Build the release server and site (target/release/warta, target/site)
	cargo leptos build --release --precompress

seed: ## Load 1M users and 5M articles into the database (DATABASE_URL or the private one)
	@scripts/seed-large.sh

bench: ## Load-test the reading routes on the 1M/5M dataset against a bare-axum baseline (wrk)
	@scripts/bench.sh

explain-large: ## Show partition pruning of the reading queries on the 1M/5M dataset (loads it first), and the user lookups' plans
	@scripts/explain-large.sh

bench-lookups: ## pgbench the lookups that find one account (unpartitioned, subquery, registry function) on the 1M/5M dataset
	@scripts/bench-lookups.sh

bench-jobs: ## Time a 10,000-follower fan-out and the job queue's throughput (release build, local SMTP)
	@scripts/bench-jobs.sh

bench-signin: ## Peak server memory while 60 people sign in at once (release build), bounded and unbounded hashing
	@scripts/bench-signin.sh

validate-deploy: ## Check deploy/ (nginx -t, Kubernetes schemas, Dockerfile) against the code
	@scripts/validate-deploy.sh

cluster: build ## Local cluster at :8080: nginx, 2 web, a worker, Postgres under Patroni (primary + sync standby, HAProxy), Redis Cluster
	@scripts/cluster.sh start

cluster-stop: ## Stop the local cluster under .data/cluster/
	@scripts/cluster.sh stop

cluster-test: build ## Run the seven scale-out checks against the local cluster (starts it if needed)
	@scripts/cluster-test.sh

sqlx-prepare: ## Regenerate .sqlx/ (compile-checked query metadata) from a live database
	@scripts/sqlx-prepare.sh

fmt: ## Format the code
	cargo fmt --all

clean-data: stop cluster-stop ## Delete the private databases and the local cluster under .data/
	rm -rf .data
