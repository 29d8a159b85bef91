"""Telemetry for the naver-sms Lambda: OpenTelemetry spans and metrics, structlog logs.

Importing this package is cheap: the SDK and exporters load only in `setup.configure`.
"""
