# TradeWarden — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/tradewarden
PKG   := github.com/tradewarden/tradewarden
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X $(PKG)/services/casework/wiring.Version=$(VERSION)
# Tests run on SQLite always, and again on PostgreSQL when this is set.
TW_TEST_POSTGRES_URL ?=
GOTEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: assets all build run test test-sqlite test-postgres test-race fuzz lint bench clean

all: build

build: ## build bin/tradewarden
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./services/casework/cmd/tradewarden

run: build ## migrate, seed the demo, print the logins and serve on 127.0.0.1:8080
	./$(BIN) migrate
	./$(BIN) demo
	./$(BIN) serve

test: test-sqlite test-postgres ## every test on SQLite, then on PostgreSQL when TW_TEST_POSTGRES_URL is set

test-sqlite:
	TW_TEST_DB=sqlite $(GO) test $(GOTEST_FLAGS) ./...

test-postgres:
	@if [ -n "$(TW_TEST_POSTGRES_URL)" ]; then \
		echo "== PostgreSQL: $(TW_TEST_POSTGRES_URL)"; \
		TW_TEST_DB=postgres TW_TEST_POSTGRES_URL='$(TW_TEST_POSTGRES_URL)' $(GO) test $(GOTEST_FLAGS) ./...; \
	else \
		echo "== PostgreSQL skipped: set TW_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run the suite on it"; \
	fi

test-race: ## the whole suite under the race detector (SQLite)
	TW_TEST_DB=sqlite $(GO) test -race $(GOTEST_FLAGS) ./...

FUZZTIME ?= 10s
fuzz: ## run every fuzz target (parsers and request bodies) for FUZZTIME each
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for target in $$(grep -h -o '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | sed 's/^func //'); do \
			echo "== fuzz $$dir $$target ($(FUZZTIME))"; \
			TW_TEST_DB=sqlite $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$dir; \
		done; \
	done

# The issue figures: 1,000,000 listings, 100,000 cases. `make bench
# BENCH_LISTINGS=20000 BENCH_REPORT_CASES=2000` is a quick look (minutes).
# BENCH_DB=postgres runs the database benchmarks on TW_TEST_POSTGRES_URL.
BENCH_LISTINGS     ?= 1000000
BENCH_REPORT_CASES ?= 100000
BENCH_DB           ?= sqlite
BENCH_PKGS := ./pkg/... ./services/casework/authz ./services/casework/blevesearch \
	./services/casework/noticepdf ./tests/component ./tests/console
bench: build ## every benchmark and the loopback load test, then the figures table (var/bench.txt)
	@mkdir -p var
	@set -o pipefail; rc=0; { \
		TW_TEST_DB=$(BENCH_DB) TW_TEST_POSTGRES_URL='$(TW_TEST_POSTGRES_URL)' TW_TEST_S3=$${TW_TEST_S3:-auto} \
		TW_BENCH_LISTINGS=$(BENCH_LISTINGS) TW_BENCH_REPORT_CASES=$(BENCH_REPORT_CASES) \
		$(GO) test -p 1 -run '^$$' -bench . -benchmem -timeout 3h $(BENCH_PKGS) || rc=1; \
		$(GO) run ./tests/load -bin $(BIN) -duration 5s || rc=1; \
		exit $$rc; \
	} 2>&1 | tee var/bench.txt || rc=1; \
	$(GO) run ./tests/benchreport var/bench.txt | tee var/bench-figures.txt; exit $$rc

assets: ## refresh the console's vendored GOV.UK Frontend and axe-core from npm (pinned) and check their checksums
	./services/casework/console/vendor-assets.sh

# Lint tools run at pinned versions through the module proxy (`go run
# tool@version` downloads once into the module cache; go.mod stays the
# application's).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK ?= golang.org/x/vuln/cmd/govulncheck@v1.9.0
DEADCODE    ?= golang.org/x/tools/cmd/deadcode@v0.52.0

lint: ## vet, gofmt, go.mod tidy, staticcheck, the dependency rule, dead code, govulncheck
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) run $(STATICCHECK) ./...
	@GO=$(GO) .ci/layers
	@out=$$($(GO) run $(DEADCODE) -test -f '{{range .Funcs}}{{$$.Path}}.{{.Name}}{{"\n"}}{{end}}' ./...) || exit 1; \
	out=$$(grep -v '^$$' <<<"$$out" | grep -vxF -f <(grep -v '^#' .ci/deadcode-allow) || true); \
	if [ -n "$$out" ]; then echo "unreachable functions (remove them, or list them in .ci/deadcode-allow with why):"; \
		echo "$$out"; exit 1; fi; echo "no dead code"
	@.ci/govulncheck $(GOVULNCHECK)

clean:
	rm -rf bin
