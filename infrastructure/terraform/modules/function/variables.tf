# Pure inputs: validations reference only the variable itself, so tests/iac can evaluate this
# file together with locals.tf offline with the real Terraform binary.

variable "name" {
  description = "Function name; also names the role, log group and schedule."
  type        = string
  default     = "naver-sms"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of letters, digits, '-' or '_' (a Lambda function name)."
  }
}

variable "aws_region" {
  description = "Region the provider deploys to; picks the regional ADOT collector layer (checked against the provider's region)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as ap-northeast-2."
  }
}

variable "package_path" {
  description = "Path of the deployment zip: the naver_sms package, its runtime dependencies and collector/*.yaml (the collector reads /var/task/collector/config.yaml)."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must name a .zip deployment package."
  }
}

variable "architecture" {
  description = "Instruction set of the function and of the collector layer: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "collector_layer_arn" {
  description = "ADOT collector layer ARN; null picks the collector-only layer documented in collector/README.md for aws_region and architecture (set it in regions where account 901920570463 does not publish the layer). Ignored without a collector (traces_exporter = xray_udp and metrics_exporter = emf)."
  type        = string
  default     = null

  validation {
    condition     = var.collector_layer_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", var.collector_layer_arn))
    error_message = "collector_layer_arn must be a versioned Lambda layer ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "collector_config" {
  description = "Collector configuration inside the package: collector/config.yaml (awsemf + awsxray) or collector/otlp.yaml (the vendor-neutral otlphttp swap, which needs the collector: not with traces_exporter = xray_udp and metrics_exporter = emf)."
  type        = string
  default     = "collector/config.yaml"

  validation {
    condition     = contains(["collector/config.yaml", "collector/otlp.yaml"], var.collector_config)
    error_message = "collector_config must be collector/config.yaml or collector/otlp.yaml."
  }
}

variable "otlp_backend_endpoint" {
  description = "With collector/otlp.yaml: base URL of the OTLP back end (NAVER_SMS_OTLP_BACKEND_ENDPOINT). Ignored otherwise."
  type        = string
  default     = null

  validation {
    condition     = var.otlp_backend_endpoint == null || can(regex("^https?://", var.otlp_backend_endpoint))
    error_message = "otlp_backend_endpoint must be an http(s) URL."
  }
}

variable "otlp_backend_headers" {
  description = "With collector/otlp.yaml: headers map for the back end, e.g. an API key (NAVER_SMS_OTLP_BACKEND_HEADERS, JSON). Ignored otherwise."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "traces_exporter" {
  description = "OTEL_TRACES_EXPORTER: otlp (through the collector's awsxray) or xray_udp (the function sends OTLP spans over UDP to Lambda's X-Ray daemon; active tracing, always on, provides it). xray_udp with metrics_exporter = emf needs no collector: the layer is not attached."
  type        = string
  default     = "otlp"

  validation {
    condition     = contains(["otlp", "xray_udp"], var.traces_exporter)
    error_message = "traces_exporter must be otlp (spans through the ADOT collector layer) or xray_udp (spans straight to Lambda's X-Ray daemon)."
  }
}

variable "metrics_exporter" {
  description = "OTEL_METRICS_EXPORTER: otlp (through the collector's awsemf) or emf (the function writes EMF on stdout itself). emf with traces_exporter = xray_udp needs no collector: the layer is not attached."
  type        = string
  default     = "otlp"

  validation {
    condition     = contains(["otlp", "emf"], var.metrics_exporter)
    error_message = "metrics_exporter must be otlp (metrics through the ADOT collector layer) or emf (EMF lines on stdout)."
  }
}

variable "service_name" {
  description = "OTEL_SERVICE_NAME: service.name of spans and metrics, `service` in logs."
  type        = string
  default     = "naver-sms"

  validation {
    condition     = length(var.service_name) > 0
    error_message = "service_name must not be empty."
  }
}

variable "environment" {
  description = "Deployment environment name (NAVER_SMS_ENVIRONMENT and the deployment.environment resource attribute)."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,32}$", var.environment))
    error_message = "environment must be 1-32 lowercase letters, digits or '-'."
  }
}

variable "telemetry_flush_ms" {
  description = "NAVER_SMS_TELEMETRY_FLUSH_MS: budget for the end-of-invocation flush of spans and metrics."
  type        = number
  default     = 300

  validation {
    condition     = var.telemetry_flush_ms >= 10 && var.telemetry_flush_ms <= 5000
    error_message = "telemetry_flush_ms must be between 10 and 5000."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the structured logs."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
  }
}

variable "sms_sending_enabled" {
  description = "SMS_SENDING_ENABLED, the deploy-time half of live sending (also needs the sms_sending switch on and an owner approval). false = dry run."
  type        = bool
  default     = false
}

variable "switch_prefix" {
  description = "NAVER_SMS_SWITCH_PREFIX: SSM path of the kill switches sms_sending, telemetry, comparison."
  type        = string
  default     = "/naver-sms/switches/"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]*/$", var.switch_prefix))
    error_message = "switch_prefix must be an SSM path starting and ending with '/'."
  }
}

variable "approval_parameter" {
  description = "NAVER_SMS_APPROVAL_PARAMETER: SSM parameter holding the owner's approval record (written by the owner's operator, not by Terraform)."
  type        = string
  default     = "/naver-sms/approval"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]+[^/]$", var.approval_parameter))
    error_message = "approval_parameter must be an SSM parameter name starting with '/'."
  }
}

variable "secrets_prefix" {
  description = "NAVER_SMS_SECRETS_SSM_PREFIX: SSM path of the SecureString secrets (SENS_*, TELEGRAM_*), created out of band so no secret enters the Terraform state."
  type        = string
  default     = "/naver-sms/secrets/"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]*/$", var.secrets_prefix))
    error_message = "secrets_prefix must be an SSM path starting and ending with '/'."
  }
}

variable "secrets_kms_key_arn" {
  description = "KMS key of the SecureString secrets; null means the AWS managed key alias/aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.secrets_kms_key_arn))
    error_message = "secrets_kms_key_arn must be a KMS key ARN."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the log group, the environment variables and the table (the notifications module's kms_key_arn: its key policy admits CloudWatch Logs for /aws/lambda/<name>*)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "bookings_table_name" {
  description = "BOOKINGS_TABLE: the DynamoDB table with per-booking SMS state (partition key booking_id)."
  type        = string
  default     = "naver-sms-bookings"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.bookings_table_name))
    error_message = "bookings_table_name must be a valid DynamoDB table name (3-255 of letters, digits, '_', '-', '.')."
  }
}

variable "table_deletion_protection" {
  description = "Protect the bookings table from deletion (its records stop duplicate SMS)."
  type        = bool
  default     = true
}

variable "booking_source_url" {
  description = "BOOKING_SOURCE_URL: the HTTP booking source; null leaves it unset."
  type        = string
  default     = null

  validation {
    condition     = var.booking_source_url == null || can(regex("^https://", var.booking_source_url))
    error_message = "booking_source_url must be an https URL."
  }
}

variable "booking_source_stores" {
  description = "BOOKING_SOURCE_STORES: comma-separated store ids to fetch; null leaves it unset."
  type        = string
  default     = null

  validation {
    condition     = var.booking_source_stores == null || can(regex("^[A-Za-z0-9_-]+( *, *[A-Za-z0-9_-]+)*$", var.booking_source_stores))
    error_message = "booking_source_stores must be store ids separated by commas."
  }
}

variable "stores_config" {
  description = "STORES_CONFIG: path of the stores/templates JSON inside the package; null uses the packaged default."
  type        = string
  default     = null

  validation {
    condition     = var.stores_config == null || can(regex("\\.json$", var.stores_config))
    error_message = "stores_config must be the path of a .json file."
  }
}

variable "legacy_capture_path" {
  description = "NAVER_SMS_LEGACY_CAPTURE: the legacy capture comparison mode compares each invocation with, a path inside the package such as /var/task/captures/legacy.jsonl (package_lambda.py --include); null leaves it unset (comparison mode then logs comparison_unavailable)."
  type        = string
  default     = null

  validation {
    condition     = var.legacy_capture_path == null || can(regex("^/(var/task|tmp)/[A-Za-z0-9_./-]+$", var.legacy_capture_path))
    error_message = "legacy_capture_path must be a file under /var/task (the package) or /tmp."
  }
}

variable "guide_window_hours" {
  description = "GUIDE_WINDOW_HOURS; null keeps the code's default (3)."
  type        = number
  default     = null

  validation {
    condition     = var.guide_window_hours == null ? true : var.guide_window_hours > 0 && var.guide_window_hours <= 48
    error_message = "guide_window_hours must be in (0, 48]."
  }
}

variable "switch_cache_seconds" {
  description = "NAVER_SMS_SWITCH_CACHE_SECONDS: how long a kill switch value is cached; null keeps the code's default (30)."
  type        = number
  default     = null

  validation {
    condition     = var.switch_cache_seconds == null ? true : var.switch_cache_seconds >= 0 && var.switch_cache_seconds <= 300
    error_message = "switch_cache_seconds must be between 0 and 300."
  }
}

variable "memory_size" {
  description = "Function memory in MB (CPU scales with it; the collector extension shares it)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds; bookings left when time runs short are deferred to the next run."
  type        = number
  default     = 120

  validation {
    condition     = var.timeout >= 10 && var.timeout <= 900
    error_message = "timeout must be between 10 and 900 seconds."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency; 1 keeps scheduled runs from overlapping (the DynamoDB claims make overlap safe, not useful)."
  type        = number
  default     = 1

  validation {
    condition     = var.reserved_concurrent_executions >= 1 && var.reserved_concurrent_executions <= 100
    error_message = "reserved_concurrent_executions must be between 1 and 100."
  }
}

variable "schedule_expression" {
  description = "EventBridge schedule of the runs: rate(...) or cron(...)."
  type        = string
  default     = "rate(5 minutes)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be rate(...) or cron(...)."
  }
}

variable "schedule_enabled" {
  description = "Whether the schedule rule invokes the function."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the function's log group (logs and the EMF documents in it), at least 7 days."
  type        = number
  default     = 90

  validation {
    condition     = var.log_retention_days >= 7 && contains([7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts, at least 7 (7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
