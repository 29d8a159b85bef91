provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      project = "naver-sms"
    }
  }
}

locals {
  name = "naver-sms"
}

# The alarm topic and its key, e-mail, and the Slack/Telegram forwarder. First: the function
# encrypts its logs, table and environment with this module's key.
module "notifications" {
  source = "../../modules/notifications"

  name           = local.name
  aws_region     = var.aws_region
  package_path   = var.package_path
  architecture   = "arm64"
  alarm_emails   = var.alarm_emails
  runbook_url    = var.runbook_url
  dashboard_name = local.name
}

module "function" {
  source = "../../modules/function"

  name         = local.name
  aws_region   = var.aws_region
  package_path = var.package_path
  architecture = "arm64"
  kms_key_arn  = module.notifications.kms_key_arn

  # Telemetry through the ADOT collector layer (awsxray + awsemf). The cheapest per invocation
  # is collector-less: traces_exporter = "xray_udp" (spans to Lambda's X-Ray daemon) with
  # metrics_exporter = "emf" (EMF on stdout); then no layer is attached and no extension runs.
  traces_exporter  = "otlp"
  metrics_exporter = "otlp"

  # Dry run until the owner approves: SMS_SENDING_ENABLED stays false here, and the
  # sms_sending switch starts off.
  sms_sending_enabled = false
}

module "monitoring" {
  source = "../../modules/monitoring"

  name                     = local.name
  aws_region               = var.aws_region
  function_name            = module.function.function_name
  function_timeout_seconds = module.function.timeout
  table_name               = module.function.bookings_table_name
  log_group_names          = [module.function.log_group_name]
  alarm_topic_arn          = module.notifications.topic_arn
  runbook_url              = var.runbook_url
  business_hours           = var.business_hours
}
