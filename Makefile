# opsbot — ask your CDN logs questions in chat.
# The two commands a newcomer needs: `make demo` and `make test`.

GO       ?= go
BIN      := bin/opsbot
PKGS     := ./...
# Tests that load the embedded engine run one package at a time per core.
TESTFLAGS ?= -race -p 2 -timeout 20m

.PHONY: all build chdb demo test vet lint tidy bench bench-ingest bench-query bench-bot bench-freshness clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/opsbot

# Fetch the embedded ClickHouse engine (libchdb.so, pinned, integrity-checked)
# into a per-user cache folder outside the repo.
chdb:
	@bash scripts/fetch-chdb.sh

demo: chdb build
	./$(BIN) --data $${OPSBOT_DEMO_DATA:-.demo/data} demo --dir $${OPSBOT_DEMO_LOGS:-.demo/logs}

vet:
	$(GO) vet $(PKGS)

# staticcheck, pinned; installed into GOBIN by `go install` on first use.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) run $(STATICCHECK) $(PKGS)

# go.mod and go.sum say exactly what the code imports.
tidy:
	$(GO) mod tidy -diff

test: chdb vet lint tidy
	$(GO) test $(TESTFLAGS) $(PKGS)

bench: bench-ingest bench-query bench-bot bench-freshness

bench-ingest: chdb
	$(GO) run ./cmd/opsbot-bench ingest

bench-query: chdb
	$(GO) run ./cmd/opsbot-bench query

bench-bot: chdb
	$(GO) run ./cmd/opsbot-bench bot

# Object lands → answerable over SQS (p50/p95) while one slow object's
# download is held; fails unless the others' p95 stays under 1 s.
bench-freshness: chdb
	$(GO) run ./cmd/opsbot-bench freshness

clean:
	rm -rf bin .demo
