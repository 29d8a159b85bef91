# `make iac-tools`: what the infrastructure checks (pytest -m iac) need besides the dev venv.
#
# checkov lives in its own venv (.venv-iac/, git-ignored by .venv-*/), pinned by
# infrastructure/tools/requirements.lock: it depends on bc-python-hcl2, which installs the same
# `hcl2` package as python-hcl2 in the dev venv and would overwrite it. Terraform itself cannot
# come from a package registry this project reaches; it is part of the machine image
# (/usr/local/bin/terraform), and this target fails, naming it, when it is missing.
IAC_VENV := .venv-iac
IAC_LOCK := infrastructure/tools/requirements.lock
IAC_STAMP := $(IAC_VENV)/.installed

.PHONY: iac-tools iac-generate lambda-package
iac-tools: $(IAC_STAMP)
	@command -v terraform >/dev/null 2>&1 || { \
	  echo "iac-tools: terraform is required on PATH (tests/iac run terraform fmt and offline evaluation)" >&2; exit 1; }

$(IAC_STAMP): $(IAC_LOCK) $(STAMP)
	test -x $(IAC_VENV)/bin/python || $(PYTHON) -m venv $(IAC_VENV)
	$(BIN)/uv pip sync -q --python $(IAC_VENV)/bin/python $(IAC_LOCK)
	touch $@

# Regenerate the Terraform view of the telemetry catalog (a test fails when it is stale).
iac-generate: install
	$(BIN)/python -m naver_sms_tools.terraform_contract --write

# The deployment zip the function module deploys (package_path): naver_sms, the wheels of
# requirements/lambda.lock for the target architecture and Python 3.12, collector/*.yaml.
LAMBDA_ARCH ?= arm64
lambda-package: install
	$(BIN)/python infrastructure/package_lambda.py --arch $(LAMBDA_ARCH) --out build/naver-sms-lambda.zip
