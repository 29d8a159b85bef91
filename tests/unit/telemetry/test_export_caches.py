"""The export path's caches keep short repeated texts only: a burst of failures with long,
unique exception messages must not pile up in memory."""

from __future__ import annotations

from naver_sms import privacy as redaction
from naver_sms.telemetry import otlp_proto
from naver_sms.telemetry.pipeline import scrub_span
from naver_sms.telemetry.spans import Span, SpanKind, Status, StatusCode, Tracer


def _failed_span(tracer: Tracer, index: int) -> Span:
    span = tracer.start_span(f"POST-{index} " * 60, SpanKind.CLIENT, {"url.full": "x" * 300})
    assert isinstance(span, Span)
    message = f"boom {index} " + "detail " * 100
    span.record_exception(ValueError(message))
    span.set_status(Status(StatusCode.ERROR, message))
    span.end()
    return span


def test_long_unique_texts_are_not_cached() -> None:
    ended: list[Span] = []
    tracer = Tracer()
    tracer.sink = ended.append

    def sizes() -> tuple[int, ...]:
        return (
            len(redaction.known_clean),
            len(otlp_proto._encoded_pairs),
            len(otlp_proto._statuses),
            len(otlp_proto._names),
            len(otlp_proto._blocks),
        )

    for index in range(5):  # the short constant texts (exception.type, ...) get cached here
        otlp_proto.encode_spans([scrub_span(_failed_span(tracer, index))])
    before = sizes()
    for index in range(5, 105):
        otlp_proto.encode_spans([scrub_span(_failed_span(tracer, index))])
    assert sizes() == before  # a hundred more long, unique texts: nothing more kept
    assert all(len(text) <= redaction.CACHEABLE_TEXT for text in redaction.known_clean)


def test_short_repeated_texts_are_cached_once() -> None:
    tracer = Tracer()
    tracer.sink = lambda span: None
    span = tracer.start_span("GET", SpanKind.CLIENT, {"peer.service": "naver-sens-cache-test"})
    assert isinstance(span, Span)
    span.end()
    scrub_span(span)
    assert "naver-sens-cache-test" in redaction.known_clean
