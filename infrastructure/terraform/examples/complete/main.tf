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
