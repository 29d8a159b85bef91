"""A Lambda context object for running the handler outside Lambda (tests, demo, replay)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"


@dataclass
class LambdaContext:
    """Carries what the real context carries, with a real countdown of the time left."""

    function_name: str = "naver-sms"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    timeout_s: float = 60.0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/naver-sms"
    log_stream_name: str = "2026/11/20/[$LATEST]local"
    _started: float = field(default_factory=time.monotonic, repr=False)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_s - (time.monotonic() - self._started)
        return max(0, int(left * 1000))
