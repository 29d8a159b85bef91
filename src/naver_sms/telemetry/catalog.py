"""The single source of truth for every metric, span and log field the Lambda emits.

`docs/telemetry.md`, the collector's `metric_declarations` checks and the Terraform contract
tests are all derived from, or checked against, this module. Adding a metric means adding it
here first; the instruments in :mod:`naver_sms.telemetry.instruments` only accept names and
attributes declared here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

NAMESPACE: Final = "naver-sms"
COMPARISON_NAMESPACE: Final = "naver-sms/comparison"

# The instrumentation scope of every span and metric this package emits (tracer and meter
# name), and the semantic-conventions version its attribute names follow
# (`deployment.environment.name`, `url.full`, `http.request.method` ...).
SCOPE_NAME: Final = "naver-sms"
SEMCONV_SCHEMA_URL: Final = "https://opentelemetry.io/schemas/1.27.0"

# Histogram bucket boundaries in milliseconds: the OpenTelemetry SDK's defaults, so latency
# histograms keep the buckets back ends saw before (and a provider that ignores our views,
# e.g. the ADOT layer's, still gets them as the instrument's advisory).
LATENCY_BOUNDARIES_MS: Final[tuple[float, ...]] = (
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0,
    1000.0, 2500.0, 5000.0, 7500.0, 10000.0,
)  # fmt: skip

# The resource attributes from which the collector's single `awsemf` exporter (no `namespace`
# configured) derives a metric's CloudWatch namespace: `service.namespace/service.name` when
# both are set, else `service.name` (awsemfexporter v0.117.0, util.go getNamespace). At each
# flush the telemetry pipeline gives every namespace's metrics their own resource, with these
# keys replaced, whatever OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES said.
NAMESPACE_RESOURCE_KEYS: Final = ("service.namespace", "service.name")


def namespace_resource(namespace: str) -> dict[str, str]:
    """The `service.namespace`/`service.name` attributes that make awsemf write `namespace`.

    `naver-sms` -> service.name `naver-sms` (and no service.namespace);
    `naver-sms/comparison` -> service.namespace `naver-sms`, service.name `comparison`.
    """
    prefix, sep, name = namespace.rpartition("/")
    if not name or (sep and not prefix):
        raise ValueError(f"CloudWatch namespace {namespace!r} cannot be split into a resource")
    if sep:
        return {"service.namespace": prefix, "service.name": name}
    return {"service.name": namespace}


class Instrument(StrEnum):
    COUNTER = "counter"
    HISTOGRAM = "histogram"
    GAUGE = "gauge"


# Every attribute a metric may carry, with its closed set of values (None: bounded by
# configuration, e.g. the stores listed in the templates file). Anything else, above all
# booking ids, phone numbers or names, is rejected: CloudWatch bills per dimension value and
# an unbounded attribute turns one metric into millions.
LOW_CARDINALITY_ATTRIBUTES: Final[dict[str, frozenset[str] | None]] = {
    "sms_type": frozenset({"confirm", "guide", "cancel"}),
    "store_id": None,
    "mode": frozenset({"live", "dry_run"}),
    "outcome": frozenset(
        {
            "success",
            "client_error",
            "auth_error",
            "throttled",
            "server_error",
            "network_error",
            "conditional_check_failed",
            "error",
        }
    ),
    "operation": frozenset({"GetItem", "PutItem", "UpdateItem", "Query", "Scan"}),
    "reason": frozenset({"invalid", "error"}),
    "signal": frozenset({"traces", "metrics"}),
    "channel": frozenset({"sms", "dynamodb", "telegram"}),
    "kind": frozenset({"missing_in_new", "extra_in_new", "mismatch"}),
}
FORBIDDEN_ATTRIBUTE_HINTS: Final = ("booking", "phone", "name", "to", "request_id", "trace")


@dataclass(frozen=True)
class MetricSpec:
    """One metric as the code emits it and as CloudWatch receives it."""

    name: str
    instrument: Instrument
    unit: str  # UCUM, as OpenTelemetry carries it
    cloudwatch_unit: str  # what the collector's awsemf exporter must write
    description: str
    attributes: tuple[str, ...]
    namespace: str = NAMESPACE
    # The dimension sets CloudWatch aggregates on: explicit, never a rollup of everything.
    dimension_sets: tuple[tuple[str, ...], ...] = field(default=((),))
    # An alarm of the Terraform monitoring module watches it (tests/iac checks that one does).
    alarmed: bool = False
    # Histograms only: explicit bucket boundaries (the view and the instrument's advisory).
    bucket_boundaries: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for attr in self.attributes:
            if attr not in LOW_CARDINALITY_ATTRIBUTES:
                raise ValueError(
                    f"metric {self.name!r}: attribute {attr!r} is not a declared "
                    "low-cardinality attribute"
                )
        if self.instrument is Instrument.HISTOGRAM and not self.bucket_boundaries:
            raise ValueError(f"metric {self.name!r}: a histogram needs bucket boundaries")
        for dims in self.dimension_sets:
            unknown = set(dims) - set(self.attributes)
            if unknown:
                raise ValueError(
                    f"metric {self.name!r}: dimension(s) {sorted(unknown)} not attributes"
                )


def _counter(
    name: str,
    description: str,
    attributes: tuple[str, ...],
    dimension_sets: tuple[tuple[str, ...], ...],
    namespace: str = NAMESPACE,
    *,
    alarmed: bool = False,
) -> MetricSpec:
    return MetricSpec(
        name,
        Instrument.COUNTER,
        "1",
        "Count",
        description,
        attributes,
        namespace,
        dimension_sets,
        alarmed,
    )


SMS_SENT = _counter(
    "sms_sent",
    "SMS handed to SENS (live) or captured instead of sent (dry_run).",
    ("sms_type", "store_id", "mode"),
    (("mode", "sms_type"), ("mode", "sms_type", "store_id")),
)
SENS_REQUESTS = _counter(
    "sens_requests",
    "HTTP attempts against the SENS API, by outcome (retries count).",
    ("outcome",),
    (("outcome",),),
    alarmed=True,
)
SENS_LATENCY = MetricSpec(
    "sens_latency",
    Instrument.HISTOGRAM,
    "ms",
    "Milliseconds",
    "Duration of one SENS HTTP attempt.",
    ("outcome",),
    NAMESPACE,
    (("outcome",),),
    bucket_boundaries=LATENCY_BOUNDARIES_MS,
)
DYNAMODB_OPERATIONS = _counter(
    "dynamodb_operations",
    "DynamoDB calls on the bookings table, by operation and outcome.",
    ("operation", "outcome"),
    (("operation", "outcome"),),
)
TELEGRAM_NOTIFICATIONS = _counter(
    "telegram_notifications",
    "Telegram sendMessage attempts, by outcome.",
    ("outcome",),
    (("outcome",),),
    alarmed=True,
)
BOOKINGS_PROCESSED = _counter(
    "bookings_processed",
    "Bookings handled to completion (whatever SMS they needed).",
    ("store_id",),
    ((), ("store_id",)),
    alarmed=True,
)
BOOKINGS_FAILED = _counter(
    "bookings_failed",
    "Bookings skipped as invalid or failed; failed ones retry next run.",
    ("reason",),
    ((), ("reason",)),
    alarmed=True,
)
INVOCATION_ERRORS = _counter(
    "invocation_errors",
    "Invocations that raised out of the handler.",
    (),
    ((),),
)
TELEMETRY_EXPORT_FAILURES = _counter(
    "telemetry_export_failures",
    "Span or metric exports that failed or timed out.",
    ("signal",),
    (("signal",),),
    alarmed=True,
)

COMPARISON_SMS_SENT_OLD = _counter(
    "sms_sent_old",
    "SMS in the legacy capture.",
    ("sms_type", "store_id"),
    (("sms_type",), ("store_id", "sms_type")),
    COMPARISON_NAMESPACE,
)
COMPARISON_SMS_SENT_NEW = _counter(
    "sms_sent_new",
    "SMS the new Lambda produced for the same bookings.",
    ("sms_type", "store_id"),
    (("sms_type",), ("store_id", "sms_type")),
    COMPARISON_NAMESPACE,
)
COMPARISON_MATCH_PERCENTAGE = MetricSpec(
    "match_percentage",
    Instrument.GAUGE,
    "%",
    "Percent",
    "Bookings whose outputs match exactly, in percent; store_id 'all' is the whole comparison.",
    ("store_id",),
    COMPARISON_NAMESPACE,
    (("store_id",),),
    alarmed=True,
)
COMPARISON_DISCREPANCIES = _counter(
    "discrepancies",
    "Discrepancy records found by the comparison.",
    ("channel", "kind"),
    ((), ("channel", "kind")),
    COMPARISON_NAMESPACE,
    alarmed=True,
)
ALL_STORES: Final = "all"

METRICS: Final[tuple[MetricSpec, ...]] = (
    SMS_SENT,
    SENS_REQUESTS,
    SENS_LATENCY,
    DYNAMODB_OPERATIONS,
    TELEGRAM_NOTIFICATIONS,
    BOOKINGS_PROCESSED,
    BOOKINGS_FAILED,
    INVOCATION_ERRORS,
    TELEMETRY_EXPORT_FAILURES,
    COMPARISON_SMS_SENT_OLD,
    COMPARISON_SMS_SENT_NEW,
    COMPARISON_MATCH_PERCENTAGE,
    COMPARISON_DISCREPANCIES,
)
METRICS_BY_NAME: Final = {m.name: m for m in METRICS}


@dataclass(frozen=True)
class SpanSpec:
    """One span the Lambda emits, with the attributes back ends rely on."""

    name: str
    kind: str  # SERVER, INTERNAL, CLIENT
    description: str
    attributes: tuple[str, ...]


INVOCATION_SPAN = SpanSpec(
    "{function_name}",
    "SERVER",
    "One Lambda invocation; continues the X-Ray trace Lambda started.",
    ("faas.trigger", "faas.invocation_id", "faas.coldstart", "cloud.resource_id"),
)
BOOKING_SPAN = SpanSpec(
    "process_booking",
    "INTERNAL",
    "One booking: decide, send, record, notify.",
    ("booking.id", "store.id", "booking.status", "booking.outcome"),
)
SENS_SPAN = SpanSpec(
    "POST",
    "CLIENT",
    "One SENS HTTP attempt (X-Ray: remote subsegment `naver-sens`).",
    (
        "peer.service",
        "server.address",
        "http.request.method",
        "http.response.status_code",
        "url.full",
        "sms.type",
        "store.id",
        "sens.request_id",
        "http.request.resend_count",
    ),
)
DYNAMODB_SPAN = SpanSpec(
    "DynamoDB.{operation}",
    "CLIENT",
    "One DynamoDB call (X-Ray: aws subsegment `DynamoDB`).",
    (
        "rpc.system",
        "rpc.service",
        "rpc.method",
        "aws.dynamodb.table_names",
        "aws.request_id",
        "cloud.region",
    ),
)
TELEGRAM_SPAN = SpanSpec(
    "POST",
    "CLIENT",
    "One Telegram sendMessage attempt (X-Ray: remote subsegment `telegram`); "
    "the bot token in the URL path is redacted.",
    (
        "peer.service",
        "server.address",
        "http.request.method",
        "http.response.status_code",
        "url.full",
        "http.request.resend_count",
    ),
)
SPANS: Final[tuple[SpanSpec, ...]] = (
    INVOCATION_SPAN,
    BOOKING_SPAN,
    SENS_SPAN,
    DYNAMODB_SPAN,
    TELEGRAM_SPAN,
)


@dataclass(frozen=True)
class LogField:
    name: str
    description: str


# Logs Insights queries and metric filters depend on these names: rename none lightly.
LOG_FIELDS: Final[tuple[LogField, ...]] = (
    LogField("timestamp", "ISO-8601 UTC time of the event."),
    LogField("level", "debug, info, warning, error, critical."),
    LogField("event", "What happened, a stable snake_case name."),
    LogField("service", "Always `naver-sms`."),
    LogField("function_name", "Lambda function name."),
    LogField("function_request_id", "Lambda request id of the invocation."),
    LogField("cold_start", "True on the first invocation of an execution environment."),
    LogField("trace_id", "W3C trace id, 32 hex digits."),
    LogField(
        "xray_trace_id", "The same trace as X-Ray writes it: 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx."
    ),
    LogField("span_id", "Current span id, 16 hex digits."),
    LogField("booking_id", "Naver booking id (never in metrics)."),
    LogField("store_id", "Store id."),
    LogField("sms_type", "confirm, guide or cancel."),
    LogField("phone", "Always masked: 010-****-5678."),
    LogField("reason", "Why a booking was skipped or failed."),
    LogField("mode", "live or dry_run."),
    LogField("logger", "The stdlib logger of a library record (botocore, urllib3, ...)."),
    LogField("where", "Where a bad booking is: event.bookings[3], a file:line, ..."),
    LogField("field", "booking_invalid: the booking field (or stage) that is wrong."),
    LogField("error", "Exception type of a failure (never its secret-bearing details)."),
    LogField("retried", "When a failed booking or notification is retried (next run)."),
    LogField("msg_type", "sms_sent: SMS or LMS (chosen by the cp949 byte length)."),
    LogField("request_id", "sms_sent: SENS requestId (null in dry run)."),
    LogField("action", "What a person should do (sms_delivery_uncertain)."),
    LogField("count", "How many (e.g. bookings_deferred)."),
    LogField("switches_source", "sending_mode: ssm, or fallback when SSM was unreadable."),
    LogField("comparison", "sending_mode / invocation_summary: comparison mode on."),
    LogField("mode_reason", "invocation_summary: why live or dry run."),
    LogField("processed", "invocation_summary: bookings handled to completion."),
    LogField("sent", "invocation_summary: SMS sent (live) or captured (dry run)."),
    LogField("skipped", "invocation_summary: SMS already sent or claimed by another run."),
    LogField("failed", "invocation_summary: bookings failed, retried next run."),
    LogField("invalid", "invocation_summary: bookings reported invalid and skipped."),
    LogField("deferred", "invocation_summary: bookings left for the next run (time budget)."),
    LogField("notified", "invocation_summary: owner notifications done (or captured)."),
    LogField("notify_failed", "invocation_summary: notifications failed, retried next run."),
    LogField("failed_stores", "invocation_summary: stores whose booking fetch failed."),
    LogField("scope", "Comparison lines: invocation or campaign."),
    LogField("window", "Comparison lines of a campaign: first..last day (KST)."),
    LogField("attempt", "sens_retry / telegram_retry / sens_attempt: the attempt (1-based)."),
    LogField("status", "sens_retry / telegram_retry / sens_attempt: HTTP status (or null)."),
    LogField("outcome", "sens_retry / sens_attempt: outcome class (success, throttled, ...)."),
    LogField("latency_ms", "sens_attempt: milliseconds one SENS HTTP attempt took."),
    LogField("sleep_s", "sens_retry / telegram_retry: jittered wait before the next attempt."),
    LogField("fallback", "switches_unreadable: what the switches fall back to."),
    LogField("switch", "switch_malformed: the SSM parameter with an unreadable value."),
    LogField("signal", "telemetry_export_failed / _recovered: traces or metrics."),
    LogField("detail", "telemetry_export_failed: why (status or exception type)."),
    LogField("variable", "telemetry_config_invalid: the environment variable."),
    LogField("value", "telemetry_config_invalid: its (non-secret) value."),
    LogField("using", "telemetry_config_invalid: the value used instead."),
    # alert forwarder (naver_sms.alerts, a Lambda of its own: docs/alerts.md)
    LogField("alarm", "Alert forwarder: CloudWatch alarm name."),
    LogField("alarm_state", "Alert forwarder: the alarm's new state (ALARM, OK, ...)."),
    LogField("destination", "Alert forwarder: slack or telegram."),
    LogField("record_index", "Alert forwarder: index of the SNS record in the event."),
    LogField("attempts", "alert_forwarded: HTTP attempts the destination took."),
    LogField("records", "alerts_summary: SNS records in the event."),
    LogField("forwarded", "alerts_summary: alarms delivered to every destination."),
    # comparison_summary / comparison_discrepancy (naver_sms.comparison.telemetry)
    LogField("bookings_compared", "Comparison: bookings in either capture."),
    LogField("bookings_matched", "Comparison: bookings without any discrepancy record."),
    LogField("match_percentage", "Comparison: 100 x matched / compared, 2 decimals."),
    LogField("discrepancies", "Comparison: number of discrepancy records."),
    LogField("invalid_lines", "Comparison: capture lines skipped as invalid (--skip-invalid)."),
    LogField("sms_sent_old", "Comparison: SMS entries in the legacy capture."),
    LogField("sms_sent_new", "Comparison: SMS entries in the new capture."),
    LogField("sms_sent_old_by_type", "Comparison: legacy SMS count per type (object)."),
    LogField("sms_sent_new_by_type", "Comparison: new SMS count per type (object)."),
    LogField("dynamodb_writes_old", "Comparison: DynamoDB write entries, legacy."),
    LogField("dynamodb_writes_new", "Comparison: DynamoDB write entries, new."),
    LogField("telegram_old", "Comparison: Telegram notifications, legacy."),
    LogField("telegram_new", "Comparison: Telegram notifications, new."),
    LogField("discrepancies_by_kind", "Comparison: records per `channel.kind` (object)."),
    LogField("channel", "Comparison record: sms, dynamodb or telegram."),
    LogField("identity", "Comparison record: its key, e.g. confirm#0 or table#{json key}."),
    LogField("kind", "Comparison record: missing_in_new, extra_in_new or mismatch."),
    LogField("fields", "Comparison record: sorted dotted paths that differ."),
    LogField("first_diff_index", "Comparison record: code point of the first text difference."),
    LogField("old_excerpt", "Comparison record: masked legacy text around the difference."),
    LogField("new_excerpt", "Comparison record: masked new text around the difference."),
)
