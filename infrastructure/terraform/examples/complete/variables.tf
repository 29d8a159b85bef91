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
  description = "Deployment zip built by make lambda-package (the function and the forwarder, with collector/*.yaml)."
  type        = string
  default     = "../../../../build/naver-sms-lambda.zip"

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must name a .zip file."
  }
}

variable "alarm_emails" {
  description = "Who gets alarm e-mails (each address confirms its subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "runbook_url" {
  description = "Where your copy of docs/ops/runbook.md is published: alarms and alert messages link to its sections."
  type        = string
  default     = "https://github.com/naver-sms/naver-sms/blob/main/docs/ops/runbook.md"

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url))
    error_message = "runbook_url must be an https URL without a fragment."
  }
}

variable "business_hours" {
  description = "When no processed booking for silent_hours means trouble (the bookings-silent alarm)."
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
}
