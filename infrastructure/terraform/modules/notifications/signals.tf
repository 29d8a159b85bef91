# The forwarder's own alarms, in the monitoring module's shape (tests/iac and `naver-sms alarms
# simulate` read them the same way), and the metric its log lines give. Pure values.

locals {
  # A forward that failed for one destination is logged, not raised (a retry would post it
  # twice where it did arrive): a metric filter counts those lines.
  log_metrics = {
    alert_forward_failures = {
      namespace = "naver-sms/alerts"
      name      = "alert_forward_failures"
      pattern   = "{ $.event = \"alert_forward_failed\" }"
    }
  }

  alarm_definitions = {
    "alert-forward-failures" = {
      summary             = "The alert forwarder did not deliver an alarm to Slack or Telegram (log event alert_forward_failed), or failed as a whole (AWS/Lambda Errors: no destination reached, or its configuration is unusable). E-mail still arrives. Missing data is not breaching."
      runbook             = "alarm-alert-forward-failures"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id         = "failures", label = "forward failures", return_data = true, metric = null
          expression = "FILL(partial, 0) + FILL(errors, 0)"
        },
        {
          id = "partial", label = "alert_forward_failures", expression = null, return_data = false
          metric = {
            namespace = local.log_metrics.alert_forward_failures.namespace, metric_name = local.log_metrics.alert_forward_failures.name
            stat      = "Sum", period = 300, dimensions = {}
          }
        },
        {
          id = "errors", label = "forwarder Errors", expression = null, return_data = false
          metric = {
            namespace = "AWS/Lambda", metric_name = "Errors"
            stat      = "Sum", period = 300, dimensions = { FunctionName = local.function_name }
          }
        },
      ]
    }
    "alert-dead-letters" = {
      summary             = "Alarm notifications are waiting in the forwarder's dead-letter queue ${local.queue_name}: events the forwarder failed after its retries, or SNS could not deliver. Missing data (an idle queue) is not breaching."
      runbook             = "alarm-alert-dead-letters"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "waiting", label = "messages in the dead-letter queue", expression = null, return_data = true
          metric = {
            namespace = "AWS/SQS", metric_name = "ApproximateNumberOfMessagesVisible"
            stat      = "Maximum", period = 300, dimensions = { QueueName = local.queue_name }
          }
        },
      ]
    }
  }

  alarms = {
    for key, alarm in local.alarm_definitions : key => merge(alarm, {
      description = "${alarm.summary} Runbook: ${var.runbook_url}#${alarm.runbook} Dashboard: ${local.dashboard_url}"
    })
  }
  alarm_names = { for key in keys(local.alarm_definitions) : key => "${var.name}-${key}" }
}
