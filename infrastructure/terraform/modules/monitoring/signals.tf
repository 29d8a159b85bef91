# What the alarms and the dashboard watch. Pure values (only var.* and local.*, namespaces and
# dimension values from the generated local.catalog): tests/iac evaluates this file with the
# real Terraform binary, offline, and checks every metric reference against the telemetry
# catalog (namespace, a dimension set the collector writes, dimension values from the closed
# sets, a statistic that fits the instrument) and every alarm's runbook section against
# docs/ops/runbook.md. `naver-sms alarms simulate` reads local.alarms the same way.

locals {
  metrics     = local.catalog.metrics
  values      = local.catalog.attribute_values
  operational = local.catalog.namespaces.operational
  comparison  = local.catalog.namespaces.comparison

  # Outcomes the SENS and Telegram clients record for an HTTP attempt that failed
  # (conditional_check_failed is a DynamoDB outcome).
  http_failure_outcomes = ["auth_error", "client_error", "error", "network_error", "server_error", "throttled"]

  lambda_dimensions = { FunctionName = var.function_name }
  table_dimensions  = { TableName = var.table_name }
  timeout_ms        = var.function_timeout_seconds * 1000
  duration_alarm_ms = local.timeout_ms * var.duration_p99_percent_of_timeout / 100

  dashboard_url = "https://${var.aws_region}.console.aws.amazon.com/cloudwatch/home?region=${var.aws_region}#dashboards/dashboard/${var.name}"

  # The hours the bookings-silent alarm may notify: from start_hour + silent_hours (so the
  # window it looks back on lies inside business hours) to end_hour.
  business_hours = {
    timezone  = var.business_hours.timezone
    days      = var.business_hours.days
    from_hour = var.business_hours.start_hour + var.business_hours.silent_hours
    to_hour   = var.business_hours.end_hour
  }

  # --- Alarms -------------------------------------------------------------------------------
  # Every alarm is a list of metric queries (one metric, or metrics plus one expression that
  # returns the data), so main.tf creates them all with one resource. `runbook` is the anchor of
  # the alarm's section in docs/ops/runbook.md; `active_hours` (null: always) the hours in which
  # its actions are on. treat_missing_data is chosen per alarm: missing means "nothing happened"
  # (notBreaching) everywhere except where silence itself is the failure (breaching).
  alarm_definitions = {
    "comparison-discrepancies" = {
      summary             = "The comparison found discrepancies between the legacy and the new outputs (discrepancies > 0; log event comparison_discrepancy). No comparison run is not a discrepancy: missing data is not breaching."
      runbook             = "alarm-comparison-discrepancies"
      active_hours        = null
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
      summary             = "The comparison's overall match percentage (store_id=all) fell below ${var.match_percentage_threshold}%. Missing data (no comparison run) is not breaching."
      runbook             = "alarm-comparison-match-percentage"
      active_hours        = null
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
    "lambda-error-rate" = {
      summary             = "More than ${var.invocation_error_rate_threshold}% of invocations failed in 2 of 3 periods (AWS/Lambda Errors / Invocations: handler errors, timeouts, crashes at init). No invocations is not an error rate: missing data is not breaching (bookings-silent watches silence)."
      runbook             = "alarm-lambda-error-rate"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.invocation_error_rate_threshold
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id         = "rate", label = "error rate (%)", return_data = true, metric = null
          expression = "100 * FILL(errors, 0) / invocations"
        },
        {
          id = "errors", label = "Errors", expression = null, return_data = false
          metric = {
            namespace = "AWS/Lambda", metric_name = "Errors"
            stat      = "Sum", period = var.period_seconds, dimensions = local.lambda_dimensions
          }
        },
        {
          id = "invocations", label = "Invocations", expression = null, return_data = false
          metric = {
            namespace = "AWS/Lambda", metric_name = "Invocations"
            stat      = "Sum", period = var.period_seconds, dimensions = local.lambda_dimensions
          }
        },
      ]
    }
    "lambda-errors" = {
      summary             = "AWS/Lambda counted more than ${var.lambda_errors_threshold} errors in a period: the first failed invocation, whatever the volume. Missing data (no invocation) is not breaching."
      runbook             = "alarm-lambda-errors"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.lambda_errors_threshold
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "errors", label = "Errors", expression = null, return_data = true
          metric = {
            namespace = "AWS/Lambda", metric_name = "Errors"
            stat      = "Sum", period = var.period_seconds, dimensions = local.lambda_dimensions
          }
        },
      ]
    }
    "lambda-duration-p99" = {
      summary             = "p99 duration above ${var.duration_p99_percent_of_timeout}% of the ${var.function_timeout_seconds} s timeout (${local.duration_alarm_ms} ms) in 2 of 3 periods: runs are about to time out and defer bookings. Missing data (no invocation) is not breaching."
      runbook             = "alarm-lambda-duration-p99"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = local.duration_alarm_ms
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "duration", label = "Duration p99", expression = null, return_data = true
          metric = {
            namespace = "AWS/Lambda", metric_name = "Duration"
            stat      = "p99", period = var.period_seconds, dimensions = local.lambda_dimensions
          }
        },
      ]
    }
    "lambda-throttles" = {
      summary             = "Lambda throttled invocations (Throttles > 0): reserved concurrency reached, scheduled runs are being refused. Missing data is not breaching."
      runbook             = "alarm-lambda-throttles"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "throttles", label = "Throttles", expression = null, return_data = true
          metric = {
            namespace = "AWS/Lambda", metric_name = "Throttles"
            stat      = "Sum", period = var.period_seconds, dimensions = local.lambda_dimensions
          }
        },
      ]
    }
    "dynamodb-read-throttles" = {
      summary             = "The bookings table throttled more than ${var.dynamodb_throttles_threshold} read requests in a period (AWS/DynamoDB ReadThrottleEvents). DynamoDB publishes throttle events only when they happen: missing data is not breaching."
      runbook             = "alarm-dynamodb-read-throttles"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.dynamodb_throttles_threshold
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "throttled", label = "ReadThrottleEvents", expression = null, return_data = true
          metric = {
            namespace = "AWS/DynamoDB", metric_name = "ReadThrottleEvents"
            stat      = "Sum", period = var.period_seconds, dimensions = local.table_dimensions
          }
        },
      ]
    }
    "dynamodb-write-throttles" = {
      summary             = "The bookings table throttled more than ${var.dynamodb_throttles_threshold} write requests in a period (AWS/DynamoDB WriteThrottleEvents): claims and sent records are at risk. Missing data is not breaching."
      runbook             = "alarm-dynamodb-write-throttles"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.dynamodb_throttles_threshold
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
      queries = [
        {
          id = "throttled", label = "WriteThrottleEvents", expression = null, return_data = true
          metric = {
            namespace = "AWS/DynamoDB", metric_name = "WriteThrottleEvents"
            stat      = "Sum", period = var.period_seconds, dimensions = local.table_dimensions
          }
        },
      ]
    }
    "sens-failure-rate" = {
      summary             = "More than ${var.sens_failure_rate_threshold}% of SENS HTTP attempts failed in 2 of 3 periods (sens_requests by outcome). Missing data (no SMS to send) is not breaching."
      runbook             = "alarm-sens-failure-rate"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.sens_failure_rate_threshold
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      treat_missing_data  = "notBreaching"
      queries = concat(
        [
          {
            id         = "rate", label = "SENS failure rate (%)", return_data = true, metric = null
            expression = "100 * (${join(" + ", [for o in local.http_failure_outcomes : "FILL(${o}, 0)"])}) / (FILL(success, 0) + ${join(" + ", [for o in local.http_failure_outcomes : "FILL(${o}, 0)"])})"
          },
        ],
        [
          for o in concat(["success"], local.http_failure_outcomes) : {
            id = o, label = "sens_requests ${o}", expression = null, return_data = false
            metric = {
              namespace = local.metrics.sens_requests.namespace, metric_name = "sens_requests"
              stat      = "Sum", period = var.period_seconds, dimensions = { outcome = o }
            }
          }
        ],
      )
    }
    "telegram-failures" = {
      summary             = "More than ${var.telegram_failures_threshold} Telegram sendMessage attempts failed in 2 of 3 periods (telegram_notifications, outcome other than success): owner notices are not getting through. One retried 429 does not fire it. Missing data is not breaching."
      runbook             = "alarm-telegram-failures"
      active_hours        = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.telegram_failures_threshold
      evaluation_periods  = 3
      datapoints_to_alarm = 2
      treat_missing_data  = "notBreaching"
      queries = concat(
        [
          {
            id         = "failures", label = "failed Telegram attempts", return_data = true, metric = null
            expression = join(" + ", [for o in local.http_failure_outcomes : "FILL(${o}, 0)"])
          },
        ],
        [
          for o in local.http_failure_outcomes : {
            id = o, label = "telegram_notifications ${o}", expression = null, return_data = false
            metric = {
              namespace = local.metrics.telegram_notifications.namespace, metric_name = "telegram_notifications"
              stat      = "Sum", period = var.period_seconds, dimensions = { outcome = o }
            }
          }
        ],
      )
    }
    "telemetry-export-failures" = {
      summary             = "Span or metric exports failed or timed out more than ${var.telemetry_export_failures_threshold} times (log event telemetry_export_failed). If the collector is down these counts may never arrive: the log line is the fallback. Missing data is not breaching."
      runbook             = "alarm-telemetry-export-failures"
      active_hours        = null
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
      summary             = "More than ${var.bookings_failed_threshold} bookings failed or were invalid in a period (log events booking_invalid / booking_failed). Missing data is not breaching."
      runbook             = "alarm-bookings-failed"
      active_hours        = null
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
    "bookings-silent" = {
      summary             = "No bookings_processed for ${var.business_hours.silent_hours} h during business hours (${var.business_hours.days == "*" ? "every day" : var.business_hours.days} ${local.business_hours.from_hour}:00-${local.business_hours.to_hour}:00 ${var.business_hours.timezone}): the schedule, the booking source, the function or its telemetry is down. Here silence is the failure: missing data is breaching; actions are on only in those hours (EventBridge Scheduler)."
      runbook             = "alarm-bookings-silent"
      active_hours        = local.business_hours
      comparison_operator = "LessThanThreshold"
      threshold           = 1
      evaluation_periods  = var.business_hours.silent_hours
      datapoints_to_alarm = var.business_hours.silent_hours
      treat_missing_data  = "breaching"
      queries = [
        {
          id = "processed", label = "bookings_processed", expression = null, return_data = true
          metric = {
            namespace = local.metrics.bookings_processed.namespace, metric_name = "bookings_processed"
            stat      = "Sum", period = 3600, dimensions = {}
          }
        },
      ]
    }
  }

  # What main.tf deploys: each definition with its AlarmDescription, which ends with the links
  # e-mail readers and the alert forwarder (naver_sms.alerts.links) show.
  alarms = {
    for key, alarm in local.alarm_definitions : key => merge(alarm, {
      description = "${alarm.summary} Runbook: ${var.runbook_url}#${alarm.runbook} Dashboard: ${local.dashboard_url}"
    })
  }
  alarm_names = { for key in keys(local.alarm_definitions) : key => "${var.name}-${key}" }

  # EventBridge Scheduler calls for the alarms with active_hours. Alarm actions fire only on a
  # state change, so a silence that began outside the hours would never notify: a few minutes
  # before the actions come on, the alarm is set to OK (no one is told, actions are still off),
  # and the next evaluation moves it back to ALARM, this time with its actions on.
  alarm_schedules = merge([
    for key, alarm in local.alarm_definitions : {
      "${key}-reset" = {
        alarm      = key
        action     = "setAlarmState"
        expression = "cron(55 ${alarm.active_hours.from_hour - 1} ? * ${alarm.active_hours.days} *)"
        timezone   = alarm.active_hours.timezone
        input = {
          AlarmName   = local.alarm_names[key]
          StateValue  = "OK"
          StateReason = "Alarm actions come on at ${alarm.active_hours.from_hour}:00: re-evaluate from OK so that a silence already under way notifies."
        }
      }
      "${key}-enable" = {
        alarm      = key
        action     = "enableAlarmActions"
        expression = "cron(0 ${alarm.active_hours.from_hour} ? * ${alarm.active_hours.days} *)"
        timezone   = alarm.active_hours.timezone
        input      = { AlarmNames = [local.alarm_names[key]] }
      }
      "${key}-disable" = {
        alarm      = key
        action     = "disableAlarmActions"
        expression = "cron(0 ${alarm.active_hours.to_hour} ? * ${alarm.active_hours.days} *)"
        timezone   = alarm.active_hours.timezone
        input      = { AlarmNames = [local.alarm_names[key]] }
      }
    } if alarm.active_hours != null
  ]...)

  # --- Dashboard ----------------------------------------------------------------------------
  # In the order docs/ops/runbook.md walks through it; each row fills the 24 columns so the
  # layout is the same wherever it is drawn. Metric arrays: [namespace, name, dimension, value,
  # ..., {options}], never the "." shorthand.
  p = var.period_seconds
  c = var.comparison_period_seconds

  dashboard_widgets = concat(
    [
      {
        type = "text", width = 24, height = 2
        properties = {
          markdown = "## ${var.function_name}\nComparison (namespace `${local.comparison}`) next to the Lambda's health, then SENS, SMS, DynamoDB, Telegram and telemetry (namespace `${local.operational}`). What each graph should look like: [runbook](${var.runbook_url}#the-dashboard-widget-by-widget)."
        }
      },
      # Row 1: the comparison next to the Lambda's health.
      {
        type = "metric", width = 6, height = 6
        properties = {
          title       = "Match percentage (all stores)", view = "timeSeries", stacked = false, region = var.aws_region, period = local.c
          yAxis       = { left = { min = 0, max = 100 } }
          annotations = { horizontal = [{ label = "alarm below", value = var.match_percentage_threshold }] }
          metrics = [
            for s in ["Minimum", "Average"] :
            [local.metrics.match_percentage.namespace, "match_percentage", "store_id", local.catalog.all_stores, { stat = s, label = s }]
          ]
        }
      },
      {
        type = "metric", width = 6, height = 6
        properties = {
          title = "Discrepancies by channel and kind", view = "timeSeries", stacked = true, region = var.aws_region, period = local.c
          metrics = concat(
            [[local.metrics.discrepancies.namespace, "discrepancies", { stat = "Sum", label = "all" }]],
            [
              for pair in setproduct(local.values.channel, local.values.kind) :
              [local.metrics.discrepancies.namespace, "discrepancies", "channel", pair[0], "kind", pair[1], { stat = "Sum", label = "${pair[0]} ${pair[1]}" }]
            ],
          )
        }
      },
      {
        type = "metric", width = 6, height = 6
        properties = {
          title       = "Invocations, errors and error rate", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          annotations = { horizontal = [{ label = "error rate alarm (%)", value = var.invocation_error_rate_threshold, yAxis = "right" }] }
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.function_name, { stat = "Sum", label = "invocations", id = "invocations" }],
            ["AWS/Lambda", "Errors", "FunctionName", var.function_name, { stat = "Sum", label = "Lambda errors", id = "errors" }],
            [local.metrics.invocation_errors.namespace, "invocation_errors", { stat = "Sum", label = "handler errors (invocation_errors)" }],
            [{ expression = "100 * FILL(errors, 0) / invocations", label = "error rate (%)", id = "rate", yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", width = 6, height = 6
        properties = {
          title = "Duration p50 / p99 against the timeout (ms)", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          yAxis = { left = { min = 0, max = local.timeout_ms } }
          annotations = { horizontal = [
            { label = "timeout", value = local.timeout_ms },
            { label = "p99 alarm", value = local.duration_alarm_ms },
          ] }
          metrics = [
            for s in ["p50", "p99"] :
            ["AWS/Lambda", "Duration", "FunctionName", var.function_name, { stat = s, label = s }]
          ]
        }
      },
    ],
    # Row 2: SMS legacy vs new per type, throttles and concurrency.
    [
      for t in local.values.sms_type : {
        type = "metric", width = 4, height = 6
        properties = {
          title = "SMS ${t}: legacy vs new", view = "bar", stacked = false, region = var.aws_region, period = local.c
          metrics = [
            [local.metrics.sms_sent_old.namespace, "sms_sent_old", "sms_type", t, { stat = "Sum", label = "legacy" }],
            [local.metrics.sms_sent_new.namespace, "sms_sent_new", "sms_type", t, { stat = "Sum", label = "new" }],
          ]
        }
      }
    ],
    [
      {
        type = "metric", width = 6, height = 6
        properties = {
          title   = "Throttles", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          metrics = [["AWS/Lambda", "Throttles", "FunctionName", var.function_name, { stat = "Sum", label = "throttles" }]]
        }
      },
      {
        type = "metric", width = 6, height = 6
        properties = {
          title   = "Concurrent executions", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          metrics = [["AWS/Lambda", "ConcurrentExecutions", "FunctionName", var.function_name, { stat = "Maximum", label = "concurrent executions (max)" }]]
        }
      },
      # Row 3: SENS.
      {
        type = "metric", width = 8, height = 6
        properties = {
          title = "SENS requests by outcome", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
          metrics = [
            for o in concat(["success"], local.http_failure_outcomes) :
            [local.metrics.sens_requests.namespace, "sens_requests", "outcome", o, { stat = "Sum", label = o }]
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title       = "SENS failure rate (%)", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          yAxis       = { left = { min = 0, max = 100 } }
          annotations = { horizontal = [{ label = "alarm above", value = var.sens_failure_rate_threshold }] }
          metrics = concat(
            [
              for o in concat(["success"], local.http_failure_outcomes) :
              [local.metrics.sens_requests.namespace, "sens_requests", "outcome", o, { stat = "Sum", id = o, visible = false }]
            ],
            [[{
              id         = "rate", label = "failed attempts (%)"
              expression = "100 * (${join(" + ", [for o in local.http_failure_outcomes : "FILL(${o}, 0)"])}) / (FILL(success, 0) + ${join(" + ", [for o in local.http_failure_outcomes : "FILL(${o}, 0)"])})"
            }]],
          )
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          # A statistic set (Count/Sum/Min/Max) per export: averages and extremes, no percentiles.
          title = "SENS latency (ms)", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          metrics = concat(
            [for s in ["Average", "Maximum"] : [local.metrics.sens_latency.namespace, "sens_latency", "outcome", "success", { stat = s, label = "success ${s}" }]],
            [[local.metrics.sens_latency.namespace, "sens_latency", "outcome", "network_error", { stat = "Average", label = "network_error Average" }]],
          )
        }
      },
      # Row 4: SMS by type and store.
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
          # Store ids come from configuration, not from the catalog: SEARCH finds those that sent.
          title = "SMS sent by store, type and mode", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
          metrics = [[{
            id         = "by_store"
            expression = "SEARCH('{\"${local.metrics.sms_sent.namespace}\",mode,sms_type,store_id} MetricName=\"sms_sent\"', 'Sum', ${local.p})"
          }]]
        }
      },
      # Row 5: DynamoDB.
      {
        type = "metric", width = 8, height = 6
        properties = {
          title = "DynamoDB consumed capacity", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          metrics = [
            for m in ["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"] :
            ["AWS/DynamoDB", m, "TableName", var.table_name, { stat = "Sum", label = m }]
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title = "DynamoDB throttled requests", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          metrics = [
            for m in ["ReadThrottleEvents", "WriteThrottleEvents"] :
            ["AWS/DynamoDB", m, "TableName", var.table_name, { stat = "Sum", label = m }]
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title = "DynamoDB calls by operation and outcome", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          metrics = [[{
            id         = "dynamodb"
            expression = "SEARCH('{\"${local.metrics.dynamodb_operations.namespace}\",operation,outcome} MetricName=\"dynamodb_operations\"', 'Sum', ${local.p})"
          }]]
        }
      },
      # Row 6: Telegram, telemetry and the bookings themselves.
      {
        type = "metric", width = 8, height = 6
        properties = {
          title = "Telegram notifications by outcome", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
          metrics = [
            for o in concat(["success"], local.http_failure_outcomes) :
            [local.metrics.telegram_notifications.namespace, "telegram_notifications", "outcome", o, { stat = "Sum", label = o }]
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title = "Telemetry export failures", view = "timeSeries", stacked = true, region = var.aws_region, period = local.p
          metrics = [
            for s in local.values.signal :
            [local.metrics.telemetry_export_failures.namespace, "telemetry_export_failures", "signal", s, { stat = "Sum", label = s }]
          ]
        }
      },
      {
        type = "metric", width = 8, height = 6
        properties = {
          title = "Bookings processed and failed", view = "timeSeries", stacked = false, region = var.aws_region, period = local.p
          metrics = concat(
            [[local.metrics.bookings_processed.namespace, "bookings_processed", { stat = "Sum", label = "processed" }]],
            [[local.metrics.bookings_failed.namespace, "bookings_failed", { stat = "Sum", label = "failed (all)" }]],
            [for r in local.values.reason : [local.metrics.bookings_failed.namespace, "bookings_failed", "reason", r, { stat = "Sum", label = "failed: ${r}" }]],
          )
        }
      },
    ],
  )

  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
