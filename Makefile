# Carnet — make help lists the targets.
GO        ?= go
DATA      ?= ./data
ADDR      ?= 127.0.0.1:8080
BASE_URL  ?= http://localhost:8080
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# -s -w: no symbol table, no DWARF (panics keep their stack traces;
# `go version -m bin/carnet` still lists the modules).
LDFLAGS   := -s -w -X main.version=$(VERSION)
# nomsgpack: gin leaves out its MessagePack codec (github.com/ugorji/go),
# which Carnet never uses. Through GOFLAGS every go command of this file
# builds, vets and tests with the same tags, the binaries that tests build too
# (added to the GOFLAGS already set, e.g. by `go env -w`).
# BENCHMARKS.md § Binary size has the figures.
GO_TAGS   ?= nomsgpack
export GOFLAGS := $(strip $(shell $(GO) env GOFLAGS) -tags=$(GO_TAGS))
NPM_FLAGS := --no-audit --no-fund --loglevel=error

# go-sqlite3 needs cgo.
export CGO_ENABLED := 1

.PHONY: help build run test deps lint bench fuzz tidy clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build bin/carnet
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/carnet ./cmd/carnet

run: build ## serve Carnet on $(ADDR) with data in $(DATA) (created on first start)
	./bin/carnet serve --data $(DATA) --addr $(ADDR) --base-url $(BASE_URL)

# Debian packages the tests use, as command=package; installed with apt-get
# (from the Debian release of the machine) when missing and running as root.
DEB_TOOLS := node=nodejs npm=npm chromium=chromium pdftoppm=poppler-utils pdftotext=poppler-utils pdfinfo=poppler-utils zbarimg=zbar-tools

deps: ## install what the tests need: Debian's Node.js, Chromium, poppler, zbar; pinned Node packages
	@missing=$$(for t in $(DEB_TOOLS); do command -v $${t%%=*} >/dev/null || echo $${t#*=}; done | sort -u | tr '\n' ' '); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "make deps: apt-get install $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "make deps: missing $$missing (apt-get install $$missing): the tests that need them skip, or fail with CI=true"; fi; \
	fi
	@command -v npm >/dev/null || { echo "make deps: npm is required"; exit 1; }
	npm ci --prefix interop $(NPM_FLAGS)
	npm ci --prefix browser $(NPM_FLAGS)

test: deps ## install the test tools and run every test
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$unformatted" ] || { echo "not gofmt-formatted: $$unformatted"; exit 1; }
	$(GO) test -count=1 ./...

lint: ## gofmt and go vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$unformatted" ] || { echo "not gofmt-formatted: $$unformatted"; exit 1; }
	$(GO) vet ./...

bench: ## run the benchmarks (figures go in BENCHMARKS.md)
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./issuer/... ./verifier/...

fuzz: ## fuzz the token parsers for 60 s each
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime 60s ./verifier
	$(GO) test -run '^$$' -fuzz FuzzCardToken -fuzztime 60s ./verifier
	$(GO) test -run '^$$' -fuzz FuzzTrustList -fuzztime 60s ./verifier
	# Minimizing an input that reaches JSON-LD canonicalisation is slow: keep it short.
	$(GO) test -run '^$$' -fuzz FuzzDataIntegrity -fuzztime 60s -fuzzminimizetime 2s ./verifier

tidy: ## go mod tidy
	$(GO) mod tidy

clean: ## remove build output
	rm -rf bin
