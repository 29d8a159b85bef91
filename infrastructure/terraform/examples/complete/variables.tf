variable "aws_region" {
  description = "Region to deploy to (Seoul by default: the stores and SENS are in Korea)."
  type        = string
  default     = "ap-northeast-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as ap-northeast-2."
  }
}

variable "package_path" {
  description = "Deployment zip built as docs/infrastructure.md describes (with collector/*.yaml)."
  type        = string
  default     = "../../../../build/naver-sms-lambda.zip"

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must name a .zip file."
  }
}

variable "alarm_emails" {
  description = "Who gets alarm e-mails."
  type        = list(string)
  default     = []
}

variable "notification_lambda_arns" {
  description = "Slack/Telegram forwarder functions to subscribe to the alarm topic."
  type        = list(string)
  default     = []
}
