output "sns_topic_arn" {
  description = "The alarm topic: subscribe further forwarders here."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_arns" {
  description = "ARN of each alarm, by its key in signals.tf."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.arn }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
