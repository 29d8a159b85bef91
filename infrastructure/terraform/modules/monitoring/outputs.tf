output "alarm_arns" {
  description = "ARN of each alarm, by its key in signals.tf."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.arn }
}

output "alarm_names" {
  description = "Name of each alarm (<name>-<key>), by its key: for aws cloudwatch set-alarm-state and describe-alarms."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard (the link every alarm description carries)."
  value       = local.dashboard_url
}

output "query_definition_ids" {
  description = "Saved Logs Insights query of each docs/ops/queries/<name>.insights file, by name."
  value       = { for name, query in aws_cloudwatch_query_definition.this : name => query.query_definition_id }
}

output "business_hours_schedule_arns" {
  description = "EventBridge Scheduler schedules that turn business-hours alarm actions on and off, by name."
  value       = { for key, schedule in aws_scheduler_schedule.alarm_hours : key => schedule.arn }
}
