"""Exporter plug-ins of this package, as OpenTelemetry SDK exporters.

- :mod:`~naver_sms.telemetry.exporters.emf`: `EmfMetricExporter`, CloudWatch EMF lines on
  stdout (`OTEL_METRICS_EXPORTER=emf`);
- :mod:`~naver_sms.telemetry.exporters.xray_udp`: `XrayUdpSpanExporter`, OTLP spans over UDP to
  Lambda's X-Ray daemon (`OTEL_TRACES_EXPORTER=xray_udp`);
- :mod:`~naver_sms.telemetry.exporters.memory`: what the `memory` exporters keep (tests, demo).

Both collector-less exporters are registered as entry points (`pyproject.toml`), so they also
work under `opentelemetry-instrument`. They exist because no light upstream package has them:
aws-opentelemetry-distro does (its `OTLPUdpSpanExporter` and EMF exporter) but pins the SDK
exactly and brings about fifty instrumentations (docs/telemetry.md measures it).
"""
