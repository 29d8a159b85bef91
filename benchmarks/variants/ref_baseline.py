"""Reference workload, no telemetry: stdlib logging only (what the Lambda runtime gives)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from benchmarks import marks, workload

# The Lambda runtime's root handler: WARNING by default; the function's own logger at INFO.
logging.basicConfig(stream=sys.stdout, format="[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
log = logging.getLogger("bench")
log.setLevel(logging.INFO)
_dynamodb = workload.dynamodb_client()


def handler(event: Any, context: Any) -> dict[str, Any]:
    marks.first_line()
    log.info("invocation start: request %s", context.aws_request_id)
    workload.get_item(_dynamodb)
    log.info("booking %s loaded", "B-1")
    workload.post_sens()
    log.info("sms sent: type=%s store=%s", "confirm", workload.STORE)
    workload.post_telegram()
    log.info("owner notified")
    log.info("invocation done: processed=%d", 1)
    return {"processed": 1}
