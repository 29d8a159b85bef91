# Pure values (only var.* and local.*): tests/iac evaluates this file with the real Terraform
# binary, offline, and checks it against naver_sms.alerts (handler, environment names, the SSM
# parameter names it reads).

locals {
  handler = "naver_sms.alerts.handler.lambda_handler"
  runtime = "python3.12"

  topic_name       = "${var.name}-alarms"
  function_name    = "${var.name}-alerts"
  queue_name       = "${var.name}-alerts-dlq"
  log_group_name   = "/aws/lambda/${local.function_name}"
  log_group_prefix = coalesce(var.log_group_prefix, "/aws/lambda/${var.name}")
  dashboard_name   = coalesce(var.dashboard_name, var.name)
  dashboard_url    = "https://${var.aws_region}.console.aws.amazon.com/cloudwatch/home?region=${var.aws_region}#dashboards/dashboard/${local.dashboard_name}"

  # The SecureString parameters the forwarder reads at cold start (naver_sms.alerts.constants).
  parameter_names = {
    for leaf in ["SLACK_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID"] :
    leaf => "${var.alert_parameters_prefix}${leaf}"
  }

  # Nothing secret: the secrets stay in SSM.
  environment = {
    ALERTS_SSM_PREFIX    = var.alert_parameters_prefix
    ALERTS_RUNBOOK_URL   = var.runbook_url
    ALERTS_DASHBOARD_URL = local.dashboard_url
    LOG_LEVEL            = "INFO"
  }
}
