data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
}

# --- Alarms (definitions in signals.tf) -----------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = local.alarm_names[each.key]
  alarm_description   = each.value.description
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  treat_missing_data  = each.value.treat_missing_data
  actions_enabled     = true
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]

  dynamic "metric_query" {
    for_each = each.value.queries
    content {
      id          = metric_query.value.id
      label       = metric_query.value.label
      expression  = metric_query.value.expression
      return_data = metric_query.value.return_data

      dynamic "metric" {
        for_each = metric_query.value.metric == null ? [] : [metric_query.value.metric]
        content {
          namespace   = metric.value.namespace
          metric_name = metric.value.metric_name
          stat        = metric.value.stat
          period      = metric.value.period
          dimensions  = metric.value.dimensions
        }
      }
    }
  }

  tags = var.tags

  lifecycle {
    # Actions start enabled; afterwards EventBridge Scheduler (alarms with active_hours, see
    # business_hours.tf) and operators silencing an alarm for maintenance own the flag, so an
    # apply must not undo them.
    ignore_changes = [actions_enabled]
  }
}

# --- Dashboard (body in signals.tf) ---------------------------------------------------------

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = local.dashboard_body
}

# --- Saved Logs Insights queries (generated queries.tf.json, from docs/ops/queries/) --------

resource "aws_cloudwatch_query_definition" "this" {
  for_each = local.saved_queries

  name            = "${var.name}/${each.key}"
  log_group_names = var.log_group_names
  query_string    = each.value
}
