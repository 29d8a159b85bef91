# What the alarms and the dashboard watch. Pure values (only var.* and local.*, namespaces and
# dimension values from the generated local.catalog): tests/iac evaluates this file with the
# real Terraform binary, offline, and checks every metric reference against the telemetry
# catalog: namespace, a dimension set the collector writes (CloudWatch matches sets exactly),
# dimension values from the catalog's closed sets, a statistic that fits the instrument.

locals {
  metrics     = local.catalog.metrics
  values      = local.catalog.attribute_values
  operational = local.catalog.namespaces.operational
  comparison  = local.catalog.namespaces.comparison

  # Outcomes naver_sms.clients.sens records for sens_requests (conditional_check_failed is a
  # DynamoDB outcome).
  sens_failure_outcomes = ["auth_error", "client_error", "error", "network_error", "server_error", "throttled"]

  lambda_dimensions = { FunctionName = var.function_name }

  # --- Alarms -------------------------------------------------------------------------------
  # Every alarm is a list of metric queries (one metric, or metrics plus one expression that
  # returns the data), so main.tf creates them all with one resource.
  alarms = {
    "comparison-discrepancies" = {
      description         = "The comparison found discrepancies between the legacy and the new outputs (Logs Insights: event = comparison_discrepancy)."
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "discrepancies", label = "discrepancies", expression = null, return_data = true
          metric = {
            namespace = local.metrics.discrepancies.namespace, metric_name = "discrepancies"
            stat      = "Sum", period = var.comparison_period_seconds, dimensions = {}
          }
        },
      ]
    }
    "comparison-match-percentage" = {
      description         = "The comparison's overall match percentage (store_id=all) is below ${var.match_percentage_threshold}%."
      comparison_operator = "LessThanThreshold"
      threshold           = var.match_percentage_threshold
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          # Minimum: one comparison run below the threshold within the period is enough.
          id = "match", label = "match_percentage (all stores)", expression = null, return_data = true
          metric = {
            namespace  = local.metrics.match_percentage.namespace, metric_name = "match_percentage"
            stat       = "Minimum", period = var.comparison_period_seconds
            dimensions = { store_id = local.catalog.all_stores }
          }
        },
      ]
    }
    "invocation-error-rate" = {
      description         = "More than ${var.invocation_error_rate_threshold}% of invocations failed: the handler raised (invocation_errors) or Lambda counted an error (timeouts, crashes at init)."
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.invocation_error_rate_threshold
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id         = "rate", label = "invocation error rate (%)", return_data = true, metric = null
          expression = "100 * MAX([FILL(app_errors, 0), FILL(lambda_errors, 0)]) / invocations"
        },
        {
          id = "app_errors", label = "invocation_errors", expression = null, return_data = false
          metric = {
            namespace = local.metrics.invocation_errors.namespace, metric_name = "invocation_errors"
            stat      = "Sum", period = var.period_seconds, dimensions = {}
          }
        },
        {
          id = "lambda_errors", label = "Lambda Errors", expression = null, return_data = false
          metric = {
            namespace = "AWS/Lambda", metric_name = "Errors"
            stat      = "Sum", period = var.period_seconds, dimensions = local.lambda_dimensions
          }
        },
        {
          id = "invocations", label = "Lambda Invocations", expression = null, return_data = false
          metric = {
            namespace = "AWS/Lambda", metric_name = "Invocations"
            stat      = "Sum", period = var.period_seconds, dimensions = local.lambda_dimensions
          }
        },
      ]
    }
    "sens-failure-rate" = {
      description         = "More than ${var.sens_failure_rate_threshold}% of SENS HTTP attempts failed (sens_requests by outcome)."
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.sens_failure_rate_threshold
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      treat_missing_data  = "notBreaching"
      queries = concat(
        [
          {
            id         = "rate", label = "SENS failure rate (%)", return_data = true, metric = null
            expression = "100 * (${join(" + ", [for o in local.sens_failure_outcomes : "FILL(${o}, 0)"])}) / (FILL(success, 0) + ${join(" + ", [for o in local.sens_failure_outcomes : "FILL(${o}, 0)"])})"
          },
        ],
        [
          for o in concat(["success"], local.sens_failure_outcomes) : {
            id = o, label = "sens_requests ${o}", expression = null, return_data = false
            metric = {
              namespace = local.metrics.sens_requests.namespace, metric_name = "sens_requests"
              stat      = "Sum", period = var.period_seconds, dimensions = { outcome = o }
            }
          }
        ],
      )
    }
    "telemetry-export-failures" = {
      description         = "Span or metric exports to the collector failed or timed out more than ${var.telemetry_export_failures_threshold} times (log event telemetry_export_failed). If the collector is down these counts may never arrive: the log line is the fallback."
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.telemetry_export_failures_threshold
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = concat(
        [
          {
            id         = "failures", label = "telemetry export failures", return_data = true, metric = null
            expression = join(" + ", [for s in local.values.signal : "FILL(${s}, 0)"])
          },
        ],
        [
          for s in local.values.signal : {
            id = s, label = "telemetry_export_failures ${s}", expression = null, return_data = false
            metric = {
              namespace = local.metrics.telemetry_export_failures.namespace, metric_name = "telemetry_export_failures"
              stat      = "Sum", period = var.period_seconds, dimensions = { signal = s }
            }
          }
        ],
      )
    }
    "bookings-failed" = {
      description         = "More than ${var.bookings_failed_threshold} bookings failed or were invalid in a period (log events booking_invalid / booking_failed)."
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.bookings_failed_threshold
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "failed", label = "bookings_failed", expression = null, return_data = true
          metric = {
            namespace = local.metrics.bookings_failed.namespace, metric_name = "bookings_failed"
            stat      = "Sum", period = var.period_seconds, dimensions = {}
          }
        },
      ]
    }
  }

  # --- Dashboard ----------------------------------------------------------------------------
  # Metric arrays: [namespace, name, dimension, value, ..., {options}], never the "." shorthand.
  p = var.period_seconds

  operational_widgets = [
    {
      type       = "text", width = 24, height = 1
      properties = { markdown = "## ${var.function_name}: operations (namespace `${local.operational}`)" }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "SMS sent by type and mode", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
        metrics = [
          for pair in setproduct(local.values.mode, local.values.sms_type) :
          [local.metrics.sms_sent.namespace, "sms_sent", "mode", pair[0], "sms_type", pair[1], { stat = "Sum", label = "${pair[1]} (${pair[0]})" }]
        ]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "SENS requests by outcome", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
        metrics = [
          for o in concat(["success"], local.sens_failure_outcomes) :
          [local.metrics.sens_requests.namespace, "sens_requests", "outcome", o, { stat = "Sum", label = o }]
        ]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        # A statistic set (Count/Sum/Min/Max) per export: averages and extremes, no percentiles.
        title = "SENS latency (ms)", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
        metrics = concat(
          [for s in ["Average", "Maximum"] : [local.metrics.sens_latency.namespace, "sens_latency", "outcome", "success", { stat = s, label = "success ${s}" }]],
          [[local.metrics.sens_latency.namespace, "sens_latency", "outcome", "network_error", { stat = "Average", label = "network_error Average" }]],
        )
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "DynamoDB operations by operation and outcome", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
        metrics = [[{
          id         = "dynamodb"
          expression = "SEARCH('{\"${local.metrics.dynamodb_operations.namespace}\",operation,outcome} MetricName=\"dynamodb_operations\"', 'Sum', ${local.p})"
        }]]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "Telegram notifications by outcome", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
        metrics = [[{
          id         = "telegram"
          expression = "SEARCH('{\"${local.metrics.telegram_notifications.namespace}\",outcome} MetricName=\"telegram_notifications\"', 'Sum', ${local.p})"
        }]]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "Bookings processed and failed", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
        metrics = concat(
          [[local.metrics.bookings_processed.namespace, "bookings_processed", { stat = "Sum", label = "processed" }]],
          [[local.metrics.bookings_failed.namespace, "bookings_failed", { stat = "Sum", label = "failed (all)" }]],
          [for r in local.values.reason : [local.metrics.bookings_failed.namespace, "bookings_failed", "reason", r, { stat = "Sum", label = "failed: ${r}" }]],
        )
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "Invocations and errors", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
        metrics = [
          ["AWS/Lambda", "Invocations", "FunctionName", var.function_name, { stat = "Sum", label = "invocations", id = "invocations" }],
          ["AWS/Lambda", "Errors", "FunctionName", var.function_name, { stat = "Sum", label = "Lambda errors", id = "lambda_errors" }],
          ["AWS/Lambda", "Throttles", "FunctionName", var.function_name, { stat = "Sum", label = "throttles" }],
          [local.metrics.invocation_errors.namespace, "invocation_errors", { stat = "Sum", label = "handler errors (invocation_errors)", id = "app_errors" }],
          [{ expression = "100 * MAX([FILL(app_errors, 0), FILL(lambda_errors, 0)]) / invocations", label = "error rate (%)", id = "rate", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "Duration (ms)", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
        metrics = [
          for s in ["Average", "Maximum"] :
          ["AWS/Lambda", "Duration", "FunctionName", var.function_name, { stat = s, label = s }]
        ]
      }
    },
    {
      type = "metric", width = 12, height = 6
      properties = {
        title = "Telemetry export failures", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
        metrics = [
          for s in local.values.signal :
          [local.metrics.telemetry_export_failures.namespace, "telemetry_export_failures", "signal", s, { stat = "Sum", label = s }]
        ]
      }
    },
  ]

  comparison_widgets = concat(
    [
      {
        type       = "text", width = 24, height = 1
        properties = { markdown = "## Comparison: legacy vs new (namespace `${local.comparison}`)" }
      },
    ],
    [
      for t in local.values.sms_type : {
        type = "metric", width = 8, height = 6
        properties = {
          title = "SMS ${t}: legacy vs new", view = "bar", stacked = false, region = var.aws_region, period = var.comparison_period_seconds
          metrics = [
            [local.metrics.sms_sent_old.namespace, "sms_sent_old", "sms_type", t, { stat = "Sum", label = "legacy" }],
            [local.metrics.sms_sent_new.namespace, "sms_sent_new", "sms_type", t, { stat = "Sum", label = "new" }],
          ]
        }
      }
    ],
    [
      {
        type = "metric", width = 12, height = 6
        properties = {
          title = "Match percentage (all stores)", view = "timeSeries", stacked = false, region = var.aws_region, period = var.comparison_period_seconds
          yAxis = { left = { min = 0, max = 100 } }
          metrics = [
            for s in ["Minimum", "Average"] :
            [local.metrics.match_percentage.namespace, "match_percentage", "store_id", local.catalog.all_stores, { stat = s, label = s }]
          ]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title = "Discrepancies by channel and kind", view = "timeSeries", stacked = true, region = var.aws_region, period = var.comparison_period_seconds
          metrics = concat(
            [[local.metrics.discrepancies.namespace, "discrepancies", { stat = "Sum", label = "all" }]],
            [
              for pair in setproduct(local.values.channel, local.values.kind) :
              [local.metrics.discrepancies.namespace, "discrepancies", "channel", pair[0], "kind", pair[1], { stat = "Sum", label = "${pair[0]} ${pair[1]}" }]
            ],
          )
        }
      },
    ],
  )

  dashboard_body = jsonencode({ widgets = concat(local.operational_widgets, local.comparison_widgets) })
}
