# Agora: `make run` serves the API locally, `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
TOOL      := $(GO) tool -modfile=tools/go.mod
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/agora

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/agora
	$(GO) build -trimpath -buildvcs=auto -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/agora

.PHONY: run
run: build ## build, start a local PostgreSQL when DATABASE_URL is unset, migrate, serve on :8000
	@scripts/run.sh

.PHONY: deps
deps: ## install the system packages the tests need (as root, with apt) and start Redis if it is down
	@scripts/install-deps.sh
	@scripts/ensure-services.sh

.PHONY: generate
generate: ## regenerate the sqlc data layer from sql/
	$(TOOL) sqlc generate

.PHONY: check-generated
check-generated: ## fail when the committed sqlc code is stale
	$(TOOL) sqlc diff
	$(TOOL) sqlc vet

.PHONY: vet
vet: ## go vet
	$(GO) vet ./...

.PHONY: lint
lint: ## golangci-lint and deadcode (pinned in tools/go.mod), then prove depguard's rules bite
	$(TOOL) golangci-lint run --allow-serial-runners ./...
	@scripts/deadcode.sh
	@scripts/check-depguard.sh

.PHONY: test-unit
test-unit: ## quick loop: go test -short where no PostgreSQL or system program is needed (ARGS="-run X -v")
	@scripts/test-unit.sh $(ARGS)

.PHONY: test-go
test-go: ## unit and integration tests, race detector on
	$(GO) test -race -count=1 -timeout 15m ./...

.PHONY: check-openapi
check-openapi: ## lint the OpenAPI document and check for unannounced breaking changes
	@if [ -x scripts/check-openapi.sh ]; then scripts/check-openapi.sh; fi

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 30s)
	scripts/fuzz.sh $(or $(FUZZTIME),30s)

.PHONY: fuzz-brief
fuzz-brief: ## every fuzz target for 3s each (part of make test)
	scripts/fuzz.sh 3s

.PHONY: stack-tools
stack-tools: ## start a Docker engine if none runs, build the Compose CLI and the CI stack's images offline
	@scripts/ensure-docker.sh
	@scripts/install-compose.sh
	BROKEN_TAG=stack-broken deploy/ci/build-images.sh stack-a stack-b

.PHONY: test-stack
test-stack: ## bring the whole Compose stack up and check it live (deploy/stack), then take it down
	@# One stack run per engine at a time, images included (node_exporter
	@# holds the host-gateway port; the stack-* image tags are shared).
	@# -o: a dockerd started inside must not inherit (and keep) the lock.
	flock -o /tmp/agora-stack-test.lock $(MAKE) --no-print-directory stack-run

.PHONY: stack-run
stack-run: stack-tools ## the live stack check without the lock (make test-stack takes the lock and runs this)
	AGORA_STACK_TEST=1 $(GO) test -count=1 -timeout 30m -v -run '^TestStack$$' ./deploy/stack/ 2>&1 | \
		grep -v -E '^=== (RUN|PAUSE|CONT)'

.PHONY: kube-tools
kube-tools: ## build the pinned kube-apiserver the Helm chart is checked against (cached; ~6 min cold)
	@scripts/install-kube-tools.sh kube-apiserver >/dev/null || { \
		if [ "$${CI:-}" = true ]; then exit 1; fi; \
		echo "kube-tools: build failed; deploy/helm's API-server tests will skip" >&2; }
test-go: kube-tools

.PHONY: e2e-k8s
e2e-k8s: ## single-node Kubernetes here, the chart installed, the walk-through run, all torn down (root; not in make test; ~3 min warm, over an hour cold)
	deploy/helm/e2e/e2e.sh

.PHONY: test
test: ## everything CI runs: deps, check-generated, vet, lint, check-openapi, test-go, fuzz-brief, with test-stack beside them
	@MAKE=$(MAKE) scripts/test-all.sh

.PHONY: bench
bench: deps ## load benchmark on a seeded 1M-post throwaway database (BENCH_SMALL=1: quick); writes docs/benchmarks.md
	@scripts/bench.sh

.PHONY: drill
drill: ## RTO of a pgBackRest restore on the 1M-post data set (DRILL_SMALL=1: quick); see docs/recovery.md
	@scripts/drill.sh

.PHONY: clean
clean: ## remove bin/ and tmp/
	rm -rf bin tmp
