# Pure values (only var.* and local.*): tests/iac evaluates this file with the real Terraform
# binary, offline, and checks the result against naver_sms.config.constants, the telemetry
# constants (and exporter selection) and collector/README.md.

locals {
  handler = "naver_sms.app.handler.lambda_handler"
  runtime = "python3.12"

  # The collector-only ADOT layer (ADOT Collector for Lambda v0.43.0 = collector v0.117.0), the
  # version collector/builder-config.yaml builds and tests; see collector/README.md.
  collector_layer_arch = var.architecture == "arm64" ? "arm64" : "amd64"
  collector_layer_arn = coalesce(
    var.collector_layer_arn,
    "arn:aws:lambda:${var.aws_region}:901920570463:layer:aws-otel-collector-${local.collector_layer_arch}-ver-0-117-0:1",
  )

  # Collector-less: spans as OTLP datagrams to Lambda's X-Ray daemon (AWS_XRAY_DAEMON_ADDRESS,
  # set by Lambda with active tracing) and metrics as EMF on stdout, so no extension runs. Any
  # otlp signal (a mixed mode too) needs the collector on localhost:4318.
  collector_enabled = !(var.traces_exporter == "xray_udp" && var.metrics_exporter == "emf")
  layers            = local.collector_enabled ? [local.collector_layer_arn] : []

  # Packaged with the code: the zip holds collector/*.yaml at its root, i.e. under /var/task.
  collector_config_uri = local.collector_enabled ? "/var/task/${var.collector_config}" : null
  otlp_swap            = local.collector_enabled && var.collector_config == "collector/otlp.yaml"

  environment = { for name, value in {
    # Read by the collector extension (only when it runs).
    OPENTELEMETRY_COLLECTOR_CONFIG_URI = local.collector_config_uri
    NAVER_SMS_OTLP_BACKEND_ENDPOINT    = local.otlp_swap ? var.otlp_backend_endpoint : null
    NAVER_SMS_OTLP_BACKEND_HEADERS     = local.otlp_swap && length(var.otlp_backend_headers) > 0 ? jsonencode(var.otlp_backend_headers) : null
    # Read by naver_sms.telemetry: OTLP/HTTP to the collector on localhost, for the otlp signals.
    OTEL_EXPORTER_OTLP_ENDPOINT  = local.collector_enabled ? "http://localhost:4318" : null
    OTEL_TRACES_EXPORTER         = var.traces_exporter
    OTEL_METRICS_EXPORTER        = var.metrics_exporter
    OTEL_SERVICE_NAME            = var.service_name
    DEPLOYMENT_ENVIRONMENT       = var.environment
    NAVER_SMS_TELEMETRY_FLUSH_MS = tostring(var.telemetry_flush_ms)
    LOG_LEVEL                    = var.log_level
    # Read by naver_sms.config.
    NAVER_SMS_ENVIRONMENT          = var.environment
    SMS_SENDING_ENABLED            = var.sms_sending_enabled ? "true" : "false"
    NAVER_SMS_SWITCH_PREFIX        = var.switch_prefix
    NAVER_SMS_SWITCH_CACHE_SECONDS = var.switch_cache_seconds == null ? null : tostring(var.switch_cache_seconds)
    NAVER_SMS_APPROVAL_PARAMETER   = var.approval_parameter
    NAVER_SMS_SECRETS_SOURCE       = "ssm"
    NAVER_SMS_SECRETS_SSM_PREFIX   = var.secrets_prefix
    BOOKINGS_TABLE                 = var.bookings_table_name
    BOOKING_SOURCE_URL             = var.booking_source_url
    BOOKING_SOURCE_STORES          = var.booking_source_stores
    STORES_CONFIG                  = var.stores_config
    GUIDE_WINDOW_HOURS             = var.guide_window_hours == null ? null : tostring(var.guide_window_hours)
    NAVER_SMS_LEGACY_CAPTURE       = var.legacy_capture_path
  } : name => value if value != null }

  # Kill switches with their initial values; operators flip them afterwards (Terraform ignores
  # later changes of the value). sms_sending starts off: live sending is a decision, not a deploy.
  switch_initial_values = {
    sms_sending = "off"
    telemetry   = "on"
    comparison  = "off"
  }
  switch_parameter_names = { for name, _ in local.switch_initial_values : name => "${var.switch_prefix}${name}" }

  # The SecureString secrets naver_sms.config.secrets reads under secrets_prefix (created out of
  # band, see the README): the role may read exactly these.
  secret_parameter_names = [
    for name in ["SENS_ACCESS_KEY", "SENS_SECRET_KEY", "SENS_SERVICE_ID", "SENS_CALLER_NUMBER", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID"] :
    "${var.secrets_prefix}${name}"
  ]
}
