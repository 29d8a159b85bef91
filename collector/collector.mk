# `make collector`: build the ADOT-Lambda-equivalent collector from upstream Go modules.
#
# The OpenTelemetry Collector Builder (OCB) is pinned in collector/ocb/go.mod (checksums in its
# go.sum) and installed with `go install` from the Go module proxy; it then generates and compiles
# the distribution described by collector/builder-config.yaml into collector/_build/ (git-ignored).
# collector/otelcol.go.sum pins the checksums of every module of the distribution, so a fresh
# clone verifies what it downloads without a checksum-database lookup. The default Go module and
# build caches are reused. A content stamp (sha256 of the inputs) skips the build while the
# binary exists and nothing that defines it has changed.
COLLECTOR_DIR := collector
COLLECTOR_BUILD := $(COLLECTOR_DIR)/_build
COLLECTOR_BIN := $(COLLECTOR_BUILD)/otelcol/otelcol-adot-lambda
COLLECTOR_OCB := $(COLLECTOR_BUILD)/bin/builder
COLLECTOR_STAMP := $(COLLECTOR_BUILD)/.stamp
COLLECTOR_INPUTS := $(COLLECTOR_DIR)/builder-config.yaml $(COLLECTOR_DIR)/otelcol.go.sum \
	$(COLLECTOR_DIR)/ocb/go.mod $(COLLECTOR_DIR)/ocb/go.sum

.PHONY: collector collector-clean
collector:
	@command -v go >/dev/null 2>&1 || { echo "collector: Go is required (https://go.dev/dl)" >&2; exit 1; }
	@set -eo pipefail; \
	want=$$(cat $(COLLECTOR_INPUTS) | sha256sum | cut -d' ' -f1); \
	have=$$(cat $(COLLECTOR_STAMP) 2>/dev/null || true); \
	if [ -x $(COLLECTOR_BIN) ] && [ "$$want" = "$$have" ]; then \
	  echo "collector: up to date ($(COLLECTOR_BIN))"; exit 0; fi; \
	if [ -x $(COLLECTOR_BIN) ]; then reason="its inputs changed"; else reason="it is missing"; fi; \
	echo "collector: building $(COLLECTOR_BIN) because $$reason (first build: a few minutes)"; \
	start=$$(date +%s); \
	mkdir -p $(COLLECTOR_BUILD)/bin $(COLLECTOR_BUILD)/otelcol; \
	echo "collector: [1/2] go install OCB $$(grep -o 'cmd/builder v[0-9.]*' $(COLLECTOR_DIR)/ocb/go.mod | head -1 | cut -d' ' -f2)"; \
	(cd $(COLLECTOR_DIR)/ocb && GOBIN="$(abspath $(COLLECTOR_BUILD)/bin)" GOFLAGS=-mod=mod \
	  go install go.opentelemetry.io/collector/cmd/builder); \
	cp $(COLLECTOR_DIR)/otelcol.go.sum $(COLLECTOR_BUILD)/otelcol/go.sum; \
	echo "collector: [2/2] OCB: generate sources, download modules (checked against otelcol.go.sum), go build; log: $(COLLECTOR_BUILD)/build.log"; \
	if ! (cd $(COLLECTOR_DIR) && ../$(COLLECTOR_OCB) --config builder-config.yaml 2>&1) \
	    | tee $(COLLECTOR_BUILD)/build.log | sed -u 's/^/collector:   /'; then \
	  echo "collector: build failed, see $(COLLECTOR_BUILD)/build.log" >&2; exit 1; fi; \
	echo "$$want" > $(COLLECTOR_STAMP); \
	echo "collector: built $(COLLECTOR_BIN) in $$(( $$(date +%s) - start ))s ($$($(COLLECTOR_BIN) --version))"

collector-clean:
	rm -rf $(COLLECTOR_BUILD)
