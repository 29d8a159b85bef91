# Least privilege: exactly the calls the code makes (tests/iac finds them in the source by AST,
# from the handler's imports, and compares), on exactly their resources, plus what Lambda does
# with the role for it (logs, X-Ray, the key). Not granted, because nothing calls them:
# cloudwatch:PutMetricData (metrics leave as EMF on stdout, the collector's awsemf included:
# output_destination stdout) and sns:Publish (alarms publish to the topic, the function does not).

data "aws_iam_policy_document" "assume" {
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

resource "aws_iam_role" "this" {
  name               = "${var.name}-function"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "function" {
  statement {
    sid       = "BookingsTable"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.bookings.arn]
  }

  # naver_sms.config.switches: GetParameters on the three switches.
  statement {
    sid       = "KillSwitches"
    actions   = ["ssm:GetParameters"]
    resources = [for name in values(local.switch_parameter_names) : "${local.ssm_arn}${name}"]
  }

  # naver_sms.config.approval: GetParameter on the approval record.
  statement {
    sid       = "OwnerApproval"
    actions   = ["ssm:GetParameter"]
    resources = ["${local.ssm_arn}${var.approval_parameter}"]
  }

  # naver_sms.config.secrets: GetParameters (WithDecryption) on the six named secrets.
  statement {
    sid       = "Secrets"
    actions   = ["ssm:GetParameters"]
    resources = [for name in local.secret_parameter_names : "${local.ssm_arn}${name}"]
  }

  # SecureString decryption, only through SSM in this region.
  statement {
    sid     = "SecretsDecrypt"
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

  # Lambda's X-Ray daemon (active tracing: Lambda's own segments and, with traces_exporter =
  # xray_udp, the function's spans) and the collector's awsxray exporter: the actions of
  # AWSXRayDaemonWriteAccess that send data. X-Ray has no resource-level permissions for these.
  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  # The runtime's own log lines, the structured logs and the EMF on stdout (the collector's
  # awsemf, or the function's own with metrics_exporter = emf).
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  # The customer managed key: Lambda decrypts the environment variables with this role, and
  # DynamoDB reads and writes the table's items under it for the caller. Only through those two
  # services.
  statement {
    sid       = "DataKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["lambda.${var.aws_region}.amazonaws.com", "dynamodb.${var.aws_region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.name}-function"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.function.json
}
