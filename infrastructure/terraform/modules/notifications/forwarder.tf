# The alert forwarder (naver_sms.alerts): a Lambda of its own, subscribed to the alarm topic,
# posting each alarm state change to Slack and Telegram. Its secrets are SecureString
# parameters it reads at cold start (created out of band: none enters the Terraform state).
# SNS invokes it asynchronously: Lambda retries a failed event, then parks it in the
# dead-letter queue; SNS parks there what it could not deliver at all.

locals {
  ssm_arn = "arn:${local.partition}:ssm:${var.aws_region}:${local.account_id}:parameter"
}

resource "aws_cloudwatch_log_group" "forwarder" {
  #checkov:skip=CKV_AWS_338:Retention is a variable (default 90 days, at least 7): the forwarder logs alarm names and delivery outcomes only, a year is not needed by default.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_sqs_queue" "dead_letters" {
  name                              = local.queue_name
  kms_master_key_id                 = aws_kms_key.this.arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = 1209600 # 14 days, SQS's maximum: time to replay by hand
  tags                              = var.tags
}

data "aws_iam_policy_document" "dead_letters" {
  statement {
    sid       = "AlarmTopicRedrive"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.alarms.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "dead_letters" {
  queue_url = aws_sqs_queue.dead_letters.id
  policy    = data.aws_iam_policy_document.dead_letters.json
}

data "aws_iam_policy_document" "forwarder_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "forwarder" {
  name               = "${local.function_name}-forwarder"
  assume_role_policy = data.aws_iam_policy_document.forwarder_assume.json
  tags               = var.tags
}

# Least privilege: the calls naver_sms.alerts makes (tests/iac finds them in the source) and
# what Lambda does with the role for it (logs, X-Ray, the dead-letter queue, the key).
data "aws_iam_policy_document" "forwarder" {
  # naver_sms.alerts.secrets: GetParameters (WithDecryption) on the three named parameters.
  statement {
    sid       = "AlertParameters"
    actions   = ["ssm:GetParameters"]
    resources = [for name in values(local.parameter_names) : "${local.ssm_arn}${name}"]
  }

  # SecureString decryption, only through SSM in this region.
  statement {
    sid     = "AlertParametersDecrypt"
    actions = ["kms:Decrypt"]
    resources = [
      var.secrets_kms_key_arn != null ? var.secrets_kms_key_arn : "arn:${local.partition}:kms:${var.aws_region}:${local.account_id}:key/*"
    ]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${var.aws_region}.amazonaws.com"]
    }

    dynamic "condition" {
      for_each = var.secrets_kms_key_arn == null ? [1] : []
      content {
        test     = "ForAnyValue:StringEquals"
        variable = "kms:ResourceAliases"
        values   = ["alias/aws/ssm"]
      }
    }
  }

  # Lambda sends an event that failed its retries to the dead-letter queue with this role.
  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }

  # The queue and the environment are encrypted with the module's key.
  statement {
    sid       = "ModuleKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${var.aws_region}.amazonaws.com", "lambda.${var.aws_region}.amazonaws.com"]
    }
  }

  # Active tracing: Lambda's X-Ray daemon sends the forwarder's segments. X-Ray has no
  # resource-level permissions for these.
  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.forwarder.arn}:*"]
  }
}

resource "aws_iam_role_policy" "forwarder" {
  name   = "${local.function_name}-forwarder"
  role   = aws_iam_role.forwarder.id
  policy = data.aws_iam_policy_document.forwarder.json
}

resource "aws_lambda_function" "forwarder" {
  #checkov:skip=CKV_AWS_117:The forwarder posts to Slack and Telegram over the internet; a VPC would only add a NAT gateway.
  #checkov:skip=CKV_AWS_272:Code signing needs a signing profile outside this module's scope; the package is built by CI from the repository.
  function_name                  = local.function_name
  description                    = "CloudWatch alarms from ${local.topic_name} to Slack and Telegram (naver_sms.alerts)."
  role                           = aws_iam_role.forwarder.arn
  runtime                        = local.runtime
  handler                        = local.handler
  architectures                  = [var.architecture]
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)
  memory_size                    = var.forwarder_memory_size
  timeout                        = var.forwarder_timeout
  reserved_concurrent_executions = var.forwarder_reserved_concurrency
  kms_key_arn                    = aws_kms_key.this.arn

  environment {
    variables = local.environment
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letters.arn
  }

  tracing_config {
    mode = "Active"
  }

  # The same JSON log format as the function (platform records as JSON objects).
  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.forwarder.name
  }

  tags = var.tags

  depends_on = [
    aws_cloudwatch_log_group.forwarder,
    aws_iam_role_policy.forwarder,
  ]
}

resource "aws_lambda_function_event_invoke_config" "forwarder" {
  function_name                = aws_lambda_function.forwarder.function_name
  maximum_retry_attempts       = var.forwarder_retry_attempts
  maximum_event_age_in_seconds = 3600
}

resource "aws_lambda_permission" "forwarder" {
  statement_id  = "AllowAlarmTopic"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.forwarder.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = aws_sns_topic.alarms.arn
}

resource "aws_sns_topic_subscription" "forwarder" {
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.forwarder.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters.arn
  })

  depends_on = [aws_lambda_permission.forwarder]
}
