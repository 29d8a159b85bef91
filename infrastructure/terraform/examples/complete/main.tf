provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      project = "naver-sms"
    }
  }
}

module "function" {
  source = "../../modules/function"

  name         = "naver-sms"
  aws_region   = var.aws_region
  package_path = var.package_path
  architecture = "arm64"

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

  name                     = "naver-sms"
  aws_region               = var.aws_region
  function_name            = module.function.function_name
  alarm_emails             = var.alarm_emails
  notification_lambda_arns = var.notification_lambda_arns
}
