# Pure inputs: validations reference only the variable itself, so tests/iac can evaluate this
# file with locals.tf and signals.tf offline with the real Terraform binary.

variable "name" {
  description = "Prefix of the topic (<name>-alarms), the forwarder (<name>-alerts), its queue, role and log group, and the key alias (alias/<name>)."
  type        = string
  default     = "naver-sms"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits, '-' or '_'."
  }
}

variable "aws_region" {
  description = "Region of the topic, the key and the forwarder (the key policy and the console links name it)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as ap-northeast-2."
  }
}

variable "package_path" {
  description = "The deployment zip (make lambda-package): the forwarder is naver_sms.alerts from the same package as the function."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must name a .zip deployment package."
  }
}

variable "architecture" {
  description = "Instruction set of the forwarder: arm64 or x86_64 (the package's wheels must match)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
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

variable "alert_parameters_prefix" {
  description = "SSM path of the forwarder's SecureString parameters SLACK_WEBHOOK_URL, TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, created out of band so no secret enters the Terraform state; a destination is used when its parameters exist."
  type        = string
  default     = "/naver-sms/alerts/"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]*/$", var.alert_parameters_prefix))
    error_message = "alert_parameters_prefix must be an SSM path starting and ending with '/'."
  }
}

variable "secrets_kms_key_arn" {
  description = "KMS key of those SecureString parameters; null means the AWS managed key alias/aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.secrets_kms_key_arn))
    error_message = "secrets_kms_key_arn must be a KMS key ARN."
  }
}

variable "runbook_url" {
  description = "Published URL of docs/ops/runbook.md: the forwarder's own alarms link to their sections, and messages without a link fall back to it."
  type        = string
  default     = "https://github.com/naver-sms/naver-sms/blob/main/docs/ops/runbook.md"

  validation {
    condition     = can(regex("^https://[^\\s#]+$", var.runbook_url))
    error_message = "runbook_url must be an https URL without spaces or a fragment."
  }
}

variable "dashboard_name" {
  description = "The monitoring module's dashboard (its name variable): the forwarder's alarms and messages without a link point to it. null: this module's name."
  type        = string
  default     = null

  validation {
    condition     = var.dashboard_name == null || can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard_name))
    error_message = "dashboard_name must be a CloudWatch dashboard name."
  }
}

variable "log_group_prefix" {
  description = "Log groups whose names start with this may use the key (the forwarder's and the function's); null: /aws/lambda/<name>."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_prefix == null || can(regex("^/[A-Za-z0-9_./#-]+$", var.log_group_prefix))
    error_message = "log_group_prefix must be the start of a log group name, such as /aws/lambda/naver-sms."
  }
}

variable "log_retention_days" {
  description = "Retention of the forwarder's log group, at least 7 days."
  type        = number
  default     = 90

  validation {
    condition     = var.log_retention_days >= 7 && contains([7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts, at least 7 (7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "forwarder_memory_size" {
  description = "Memory of the forwarder in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.forwarder_memory_size >= 128 && var.forwarder_memory_size <= 10240
    error_message = "forwarder_memory_size must be between 128 and 10240."
  }
}

variable "forwarder_timeout" {
  description = "Timeout of the forwarder in seconds (at most 3 attempts per destination, each cut to the time left)."
  type        = number
  default     = 30

  validation {
    condition     = var.forwarder_timeout >= 5 && var.forwarder_timeout <= 300
    error_message = "forwarder_timeout must be between 5 and 300 seconds."
  }
}

variable "forwarder_reserved_concurrency" {
  description = "Reserved concurrency of the forwarder: an alarm storm queues (and is retried) instead of starving the account."
  type        = number
  default     = 2

  validation {
    condition     = var.forwarder_reserved_concurrency >= 1 && var.forwarder_reserved_concurrency <= 20
    error_message = "forwarder_reserved_concurrency must be between 1 and 20."
  }
}

variable "forwarder_retry_attempts" {
  description = "Lambda's asynchronous retries of an event the forwarder failed (it fails only when an alarm reached no destination); then the event goes to the dead-letter queue."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.forwarder_retry_attempts)
    error_message = "forwarder_retry_attempts must be 0, 1 or 2."
  }
}

variable "key_deletion_window_days" {
  description = "Waiting period before the key is deleted once scheduled for deletion."
  type        = number
  default     = 30

  validation {
    condition     = var.key_deletion_window_days >= 7 && var.key_deletion_window_days <= 30
    error_message = "key_deletion_window_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
