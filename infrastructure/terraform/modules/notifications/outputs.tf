output "topic_arn" {
  description = "The alarm topic: the monitoring module's alarm_topic_arn."
  value       = aws_sns_topic.alarms.arn
}

output "kms_key_arn" {
  description = "The customer managed key (topic, dead-letter queue, log groups): the function module's kms_key_arn."
  value       = aws_kms_key.this.arn
}

output "forwarder_function_name" {
  description = "Name of the alert forwarder function."
  value       = aws_lambda_function.forwarder.function_name
}

output "forwarder_log_group_name" {
  description = "The forwarder's log group (alert_forwarded, alert_forward_failed, alert_invalid lines)."
  value       = aws_cloudwatch_log_group.forwarder.name
}

output "dead_letter_queue_url" {
  description = "URL of the forwarder's dead-letter queue (aws sqs receive-message to read what was not delivered)."
  value       = aws_sqs_queue.dead_letters.id
}

output "alert_parameter_names" {
  description = "The SecureString parameters to create with aws ssm put-parameter (Slack webhook URL, Telegram bot token and chat id)."
  value       = local.parameter_names
}

output "alarm_arns" {
  description = "ARN of each of the forwarder's own alarms, by its key in signals.tf."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.arn }
}

output "alarm_names" {
  description = "Name of each of the forwarder's own alarms (<name>-<key>), by its key."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}
