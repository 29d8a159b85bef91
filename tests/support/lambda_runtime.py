"""A minimal Lambda runtime for tests: imports the function `_HANDLER` names and invokes it.

    python -m support.lambda_runtime            # from tests/, or under opentelemetry-instrument

Like the Lambda runtime, it imports the handler module once (cold start), then calls the
handler once per invocation listed in `TEST_INVOCATIONS` (JSON: `[{"event": ..., "trace_header":
..., "request_id": ...}]`), setting `_X_AMZN_TRACE_ID` fresh for each as active tracing does.
Under `opentelemetry-instrument`, the aws-lambda instrumentation has wrapped that function
before this module looks it up, exactly as the ADOT layer's wrapper script arranges. Prints
one JSON line per invocation: its result, or the exception it raised.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

from naver_sms.devstack.lambda_context import LambdaContext


def main() -> int:
    invocations = json.loads(os.environ["TEST_INVOCATIONS"])
    module_name, _, attribute = os.environ["_HANDLER"].rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    for invocation in invocations:
        if invocation.get("trace_header"):
            os.environ["_X_AMZN_TRACE_ID"] = invocation["trace_header"]
        context = LambdaContext(aws_request_id=invocation.get("request_id", "req"))
        try:
            result = handler(invocation.get("event", {}), context)
        except Exception as exc:
            result = {"raised": type(exc).__name__}
        sys.stdout.write(json.dumps({"invocation_result": result}, default=str) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
