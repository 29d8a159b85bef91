# Pure inputs: validations reference only the variable itself, so tests/iac can evaluate this
# file with catalog.tf.json and signals.tf offline with the real Terraform binary.

variable "name" {
  description = "Name of the dashboard and prefix of the alarms, the saved queries and the business-hours schedules."
  type        = string
  default     = "naver-sms"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,32}$", var.name))
    error_message = "name must be 1-32 letters, digits, '-' or '_' (schedule names derived from it stay within 64 characters)."
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

variable "function_timeout_seconds" {
  description = "The function's timeout in seconds: the Duration widget draws it, and the duration alarm fires near it."
  type        = number
  default     = 120

  validation {
    condition     = var.function_timeout_seconds >= 1 && var.function_timeout_seconds <= 900
    error_message = "function_timeout_seconds must be a Lambda timeout (1 to 900 seconds)."
  }
}

variable "table_name" {
  description = "The bookings table: the TableName dimension of its AWS/DynamoDB metrics (capacity and throttle alarms)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be a DynamoDB table name."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic every alarm notifies on ALARM and on OK (the notifications module's topic_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "log_group_names" {
  description = "Log groups the saved Logs Insights queries run on: the function's (its structured logs and EMF)."
  type        = list(string)

  validation {
    condition     = length(var.log_group_names) > 0 && alltrue([for name in var.log_group_names : can(regex("^[A-Za-z0-9_./#-]{1,512}$", name))])
    error_message = "log_group_names must list at least one log group name."
  }
}

variable "runbook_url" {
  description = "Published URL of docs/ops/runbook.md: each alarm's description ends with a link to its section (<runbook_url>#<anchor>) and to the dashboard, for e-mail and the alert forwarder."
  type        = string
  default     = "https://github.com/naver-sms/naver-sms/blob/main/docs/ops/runbook.md"

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url))
    error_message = "runbook_url must be an https URL without spaces or a fragment."
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
  description = "Alarm when more than this percentage of invocations fail (AWS/Lambda Errors / Invocations) in 2 of 3 periods."
  type        = number
  default     = 5

  validation {
    condition     = var.invocation_error_rate_threshold >= 0 && var.invocation_error_rate_threshold < 100
    error_message = "invocation_error_rate_threshold must be a percentage in [0, 100)."
  }
}

variable "sens_failure_rate_threshold" {
  description = "Alarm when more than this percentage of SENS HTTP attempts fail in 2 of 3 periods."
  type        = number
  default     = 10

  validation {
    condition     = var.sens_failure_rate_threshold >= 0 && var.sens_failure_rate_threshold < 100
    error_message = "sens_failure_rate_threshold must be a percentage in [0, 100)."
  }
}

variable "lambda_errors_threshold" {
  description = "Alarm when AWS/Lambda counts more errors than this in a period (any error, however few invocations)."
  type        = number
  default     = 0

  validation {
    condition     = var.lambda_errors_threshold >= 0
    error_message = "lambda_errors_threshold must not be negative."
  }
}

variable "duration_p99_percent_of_timeout" {
  description = "Alarm when the p99 duration exceeds this percentage of the function timeout in 2 of 3 periods."
  type        = number
  default     = 80

  validation {
    condition     = var.duration_p99_percent_of_timeout > 0 && var.duration_p99_percent_of_timeout <= 100
    error_message = "duration_p99_percent_of_timeout must be in (0, 100]."
  }
}

variable "dynamodb_throttles_threshold" {
  description = "Alarm when the bookings table throttles more read (or write) requests than this in a period."
  type        = number
  default     = 0

  validation {
    condition     = var.dynamodb_throttles_threshold >= 0
    error_message = "dynamodb_throttles_threshold must not be negative."
  }
}

variable "telegram_failures_threshold" {
  description = "Alarm when more Telegram sendMessage attempts than this fail in 2 of 3 periods (owner notices at risk)."
  type        = number
  default     = 0

  validation {
    condition     = var.telegram_failures_threshold >= 0
    error_message = "telegram_failures_threshold must not be negative."
  }
}

variable "business_hours" {
  description = "When silence means trouble: the bookings-silent alarm notifies only from start_hour + silent_hours to end_hour on these days (timezone: an IANA name; days: EventBridge Scheduler day-of-week, * or e.g. MON-SAT), after silent_hours without bookings_processed. EventBridge Scheduler turns its actions on and off."
  type = object({
    timezone     = string
    days         = string
    start_hour   = number
    end_hour     = number
    silent_hours = number
  })
  default = {
    timezone     = "Asia/Seoul"
    days         = "*"
    start_hour   = 9
    end_hour     = 21
    silent_hours = 2
  }

  validation {
    condition = (
      can(regex("^[A-Za-z]+(/[A-Za-z0-9_+-]+)*$", var.business_hours.timezone))
      && (var.business_hours.days == "*" || can(regex("^(MON|TUE|WED|THU|FRI|SAT|SUN)(-(MON|TUE|WED|THU|FRI|SAT|SUN))?(,(MON|TUE|WED|THU|FRI|SAT|SUN)(-(MON|TUE|WED|THU|FRI|SAT|SUN))?)*$", var.business_hours.days)))
      && floor(var.business_hours.start_hour) == var.business_hours.start_hour
      && floor(var.business_hours.end_hour) == var.business_hours.end_hour
      && floor(var.business_hours.silent_hours) == var.business_hours.silent_hours
      && var.business_hours.start_hour >= 0
      && var.business_hours.silent_hours >= 1
      && var.business_hours.start_hour + var.business_hours.silent_hours < var.business_hours.end_hour
      && var.business_hours.end_hour <= 23
    )
    error_message = "business_hours needs an IANA timezone, days * or such as MON-SAT, whole hours with 0 <= start_hour, 1 <= silent_hours and start_hour + silent_hours < end_hour <= 23."
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

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
