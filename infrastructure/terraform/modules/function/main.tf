data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  ssm_arn    = "arn:${local.partition}:ssm:${var.aws_region}:${local.account_id}:parameter"
}

# --- State: per-booking SMS records (claim -> send -> mark) --------------------------------

resource "aws_dynamodb_table" "bookings" {
  name                        = var.bookings_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "booking_id"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "booking_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

# --- Kill switches (run time, flipped by operators) ------------------------------------------

resource "aws_ssm_parameter" "switch" {
  #checkov:skip=CKV2_AWS_34:Switch values are on/off flags, not secrets; the function reads them without decryption.
  for_each = local.switch_initial_values

  name        = local.switch_parameter_names[each.key]
  description = "naver-sms kill switch ${each.key}: on/off, read by the function every NAVER_SMS_SWITCH_CACHE_SECONDS."
  type        = "String"
  value       = each.value
  tags        = var.tags

  lifecycle {
    # Operators flip the switches with `aws ssm put-parameter`; a later apply must not undo that.
    ignore_changes = [value]
  }
}

# --- Logs: the function's log group, also where the EMF lands (collector's or function's) ---

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is a variable (default 90 days, at least 7): logs hold masked operational data and EMF only, a year is not needed by default.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# --- Function -----------------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function calls SENS, Telegram and AWS APIs over the internet; a VPC would only add a NAT gateway.
  #checkov:skip=CKV_AWS_116:Scheduled runs are idempotent (DynamoDB claims) and the next run retries; a DLQ would hold nothing worth replaying (retries are off, see event_invoke_config).
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile outside this module's scope; the package is built by CI from the repository.
  # Environment variables hold no secrets (secrets come from SSM SecureString); kms_key_arn encrypts them all the same.
  function_name                  = var.name
  description                    = "Naver Smart Place bookings to customer SMS (SENS), instrumented with OpenTelemetry (${local.collector_enabled ? "ADOT collector layer" : "X-Ray daemon and EMF, no collector"})."
  role                           = aws_iam_role.this.arn
  runtime                        = local.runtime
  handler                        = local.handler
  architectures                  = [var.architecture]
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  layers                         = local.layers
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = local.environment
  }

  # Lambda starts the X-Ray trace; the function's spans continue it (X-Ray id generator and
  # propagator) and the collector's awsxray exporter sends them, or with traces_exporter =
  # xray_udp the function itself, to the X-Ray daemon that active tracing starts (and
  # AWS_XRAY_DAEMON_ADDRESS names). Always Active: no variable turns it off.
  tracing_config {
    mode = "Active"
  }

  # JSON log format: Lambda writes its platform records (platform.report with duration, billed
  # duration, memory and init duration) as JSON objects the runbook's Logs Insights queries and
  # `naver-sms alarms simulate` read; the function's own lines are JSON either way.
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]

  lifecycle {
    precondition {
      condition     = data.aws_region.current.name == var.aws_region
      error_message = "aws_region must equal the provider's region: the collector layer is regional."
    }

    precondition {
      condition     = local.collector_enabled || var.collector_config != "collector/otlp.yaml"
      error_message = "collector_config = collector/otlp.yaml (the vendor-neutral swap) needs the collector, but traces_exporter = xray_udp with metrics_exporter = emf attaches none: use an otlp exporter or collector/config.yaml."
    }
  }
}

# One attempt per scheduled event: the next run picks up what failed, and retrying an event
# an hour later would only duplicate that run.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 300
}

# --- Schedule -----------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "${var.name}-schedule"
  description         = "Runs ${var.name} over new and changed bookings."
  schedule_expression = var.schedule_expression
  state               = var.schedule_enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}
