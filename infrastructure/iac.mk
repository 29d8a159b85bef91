# `make iac-tools`: what the infrastructure checks (pytest -m iac) need besides the dev venv.
#
# checkov lives in its own venv (.venv-iac/, git-ignored by .venv-*/), pinned by
# infrastructure/tools/requirements.lock: it depends on bc-python-hcl2, which installs the same
# `hcl2` package as python-hcl2 in the dev venv and would overwrite it.
#
# tflint (with its bundled terraform ruleset) is built from the Go module proxy at the version
# infrastructure/tools/tflint/go.mod pins (go.sum holds the checksums) into
# infrastructure/tools/tflint/_build/ (git-ignored). A content stamp (sha256 of go.mod and go.sum)
# skips the build while the binary exists and the pin has not changed, as collector.mk does.
#
# Terraform itself and the AWS provider cannot come from a registry this project reaches; they
# are part of the machine image: /usr/local/bin/terraform and the provider's filesystem mirror
# TF_PROVIDER_MIRROR (tests/iac run `terraform init` from it, offline, for validate, plan and an
# apply against moto). This target fails, naming what is missing.
IAC_VENV := .venv-iac
IAC_LOCK := infrastructure/tools/requirements.lock
IAC_STAMP := $(IAC_VENV)/.installed
TF_PROVIDER_MIRROR ?= /opt/tf-plugins
TFLINT_DIR := infrastructure/tools/tflint
TFLINT_BUILD := $(TFLINT_DIR)/_build
TFLINT_BIN := $(TFLINT_BUILD)/bin/tflint
TFLINT_STAMP := $(TFLINT_BUILD)/.stamp
TFLINT_INPUTS := $(TFLINT_DIR)/go.mod $(TFLINT_DIR)/go.sum

.PHONY: iac-tools iac-generate lambda-package tflint
iac-tools: $(IAC_STAMP) tflint
	@command -v terraform >/dev/null 2>&1 || { \
	  echo "iac-tools: terraform is required on PATH (tests/iac run terraform fmt, validate, plan and offline evaluation)" >&2; exit 1; }
	@ls $(TF_PROVIDER_MIRROR)/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_* >/dev/null 2>&1 || { \
	  echo "iac-tools: the AWS provider's filesystem mirror is missing at TF_PROVIDER_MIRROR=$(TF_PROVIDER_MIRROR) (registry.terraform.io/hashicorp/aws/<version>/<os_arch>/); tests/iac need it for terraform validate and plan" >&2; exit 1; }

$(IAC_STAMP): $(IAC_LOCK) $(STAMP)
	test -x $(IAC_VENV)/bin/python || $(PYTHON) -m venv $(IAC_VENV)
	$(BIN)/uv pip sync -q --python $(IAC_VENV)/bin/python $(IAC_LOCK)
	touch $@

tflint:
	@command -v go >/dev/null 2>&1 || { echo "tflint: Go is required to build tflint (https://go.dev/dl)" >&2; exit 1; }
	@set -eo pipefail; \
	want=$$(cat $(TFLINT_INPUTS) | sha256sum | cut -d' ' -f1); \
	have=$$(cat $(TFLINT_STAMP) 2>/dev/null || true); \
	if [ -x $(TFLINT_BIN) ] && [ "$$want" = "$$have" ]; then \
	  echo "tflint: up to date ($(TFLINT_BIN))"; exit 0; fi; \
	echo "tflint: building $(TFLINT_BIN) $$(grep -o 'terraform-linters/tflint v[0-9.]*' $(TFLINT_DIR)/go.mod | cut -d' ' -f2) from the Go module proxy (about a minute)"; \
	start=$$(date +%s); \
	mkdir -p $(TFLINT_BUILD)/bin; \
	(cd $(TFLINT_DIR) && GOBIN="$(abspath $(TFLINT_BUILD)/bin)" GOFLAGS=-mod=mod go install tool); \
	echo "$$want" > $(TFLINT_STAMP); \
	echo "tflint: built in $$(( $$(date +%s) - start ))s ($$($(TFLINT_BIN) --version | head -1))"

# Regenerate the Terraform view of the telemetry catalog and of docs/ops/queries/*.insights
# (a test fails when either is stale).
iac-generate: install
	$(BIN)/python -m naver_sms_tools.terraform_contract --write

# The deployment zip the function and notifications modules deploy (package_path): naver_sms,
# the wheels of requirements/lambda.lock for the target architecture and Python 3.12,
# collector/*.yaml.
LAMBDA_ARCH ?= arm64
lambda-package: install
	$(BIN)/python infrastructure/package_lambda.py --arch $(LAMBDA_ARCH) --out build/naver-sms-lambda.zip
