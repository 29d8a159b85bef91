# Pure inputs: validations reference only the variable itself, so tests/iac can evaluate this
# file with catalog.tf.json and signals.tf offline with the real Terraform binary.

variable "name" {
  description = "Prefix of the dashboard, the alarms and the SNS topic."
  type        = string
  default     = "naver-sms"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,200}$", var.name))
    error_message = "name must be letters, digits, '-' or '_' (at most 200)."
  }
}

variable "aws_region" {
  description = "Region of the metrics (dashboard widgets name it)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as ap-northeast-2."
  }
}

variable "function_name" {
  description = "The function's name: the FunctionName dimension of its AWS/Lambda metrics."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be a Lambda function name."
  }
}

variable "period_seconds" {
  description = "Period of the operational alarms and of the dashboard graphs."
  type        = number
  default     = 300

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds % 60 == 0
    error_message = "period_seconds must be a multiple of 60 (EMF metrics are standard resolution)."
  }
}

variable "comparison_period_seconds" {
  description = "Period of the comparison alarms (comparison runs are rarer than scheduled runs)."
  type        = number
  default     = 3600

  validation {
    condition     = var.comparison_period_seconds >= 60 && var.comparison_period_seconds % 60 == 0
    error_message = "comparison_period_seconds must be a multiple of 60."
  }
}

variable "invocation_error_rate_threshold" {
  description = "Alarm when more than this percentage of invocations fail in a period."
  type        = number
  default     = 5

  validation {
    condition     = var.invocation_error_rate_threshold >= 0 && var.invocation_error_rate_threshold < 100
    error_message = "invocation_error_rate_threshold must be a percentage in [0, 100)."
  }
}

variable "sens_failure_rate_threshold" {
  description = "Alarm when more than this percentage of SENS HTTP attempts fail in a period."
  type        = number
  default     = 10

  validation {
    condition     = var.sens_failure_rate_threshold >= 0 && var.sens_failure_rate_threshold < 100
    error_message = "sens_failure_rate_threshold must be a percentage in [0, 100)."
  }
}

variable "bookings_failed_threshold" {
  description = "Alarm when more bookings than this fail or are invalid in a period."
  type        = number
  default     = 0

  validation {
    condition     = var.bookings_failed_threshold >= 0
    error_message = "bookings_failed_threshold must not be negative."
  }
}

variable "telemetry_export_failures_threshold" {
  description = "Alarm when more span/metric exports than this fail in a period."
  type        = number
  default     = 0

  validation {
    condition     = var.telemetry_export_failures_threshold >= 0
    error_message = "telemetry_export_failures_threshold must not be negative."
  }
}

variable "match_percentage_threshold" {
  description = "Alarm when the comparison's overall match percentage (store_id=all) drops below this."
  type        = number
  default     = 100

  validation {
    condition     = var.match_percentage_threshold > 0 && var.match_percentage_threshold <= 100
    error_message = "match_percentage_threshold must be in (0, 100]."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "notification_https_endpoints" {
  description = "HTTPS endpoints subscribed to the alarm topic, e.g. a Slack or Telegram forwarder (it must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for url in var.notification_https_endpoints : startswith(url, "https://")])
    error_message = "notification_https_endpoints must be https URLs."
  }
}

variable "notification_lambda_arns" {
  description = "Forwarder functions (Slack, Telegram) subscribed to the alarm topic; the module lets SNS invoke them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.notification_lambda_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", arn))])
    error_message = "notification_lambda_arns must be unqualified Lambda function ARNs."
  }
}

variable "sns_kms_key_arn" {
  description = "Customer managed KMS key for the alarm topic; its key policy must let cloudwatch.amazonaws.com use it. null leaves the topic unencrypted (alarms cannot publish to a topic under the AWS managed key)."
  type        = string
  default     = null

  validation {
    condition     = var.sns_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.sns_kms_key_arn))
    error_message = "sns_kms_key_arn must be a KMS key ARN."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
