# Alarms that notify only during business hours (active_hours in signals.tf): CloudWatch alarms
# have no time of day, so EventBridge Scheduler turns their actions on and off in the business
# timezone, and resets the alarm to OK just before turning them on (local.alarm_schedules says
# why). Each call is an EventBridge Scheduler universal target: the CloudWatch API itself.

data "aws_iam_policy_document" "scheduler_assume" {
  count = length(local.alarm_schedules) > 0 ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count = length(local.alarm_schedules) > 0 ? 1 : 0

  name               = "${var.name}-alarm-hours"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume[0].json
  tags               = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  count = length(local.alarm_schedules) > 0 ? 1 : 0

  statement {
    sid       = "AlarmActionsByTheHour"
    actions   = distinct([for schedule in values(local.alarm_schedules) : "cloudwatch:${title(schedule.action)}"])
    resources = distinct([for schedule in values(local.alarm_schedules) : aws_cloudwatch_metric_alarm.this[schedule.alarm].arn])
  }
}

resource "aws_iam_role_policy" "scheduler" {
  count = length(local.alarm_schedules) > 0 ? 1 : 0

  name   = "${var.name}-alarm-hours"
  role   = aws_iam_role.scheduler[0].id
  policy = data.aws_iam_policy_document.scheduler[0].json
}

resource "aws_scheduler_schedule" "alarm_hours" {
  #checkov:skip=CKV_AWS_297:The schedule's input is an alarm name and a fixed reason, nothing confidential; EventBridge Scheduler encrypts it at rest with an AWS owned key.
  for_each = local.alarm_schedules

  name                         = "${var.name}-${each.key}"
  description                  = "${each.value.action} on ${local.alarm_names[each.value.alarm]} (business hours, see the monitoring module)."
  schedule_expression          = each.value.expression
  schedule_expression_timezone = each.value.timezone
  state                        = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = "arn:${data.aws_partition.current.partition}:scheduler:::aws-sdk:cloudwatch:${each.value.action}"
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode(each.value.input)

    retry_policy {
      maximum_event_age_in_seconds = 300
      maximum_retry_attempts       = 3
    }
  }
}
