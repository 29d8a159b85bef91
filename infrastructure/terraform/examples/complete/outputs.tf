output "function_name" {
  description = "The deployed function (aws lambda invoke --function-name ...)."
  value       = module.function.function_name
}

output "switch_parameter_names" {
  description = "Kill switch parameters to flip with aws ssm put-parameter."
  value       = module.function.switch_parameter_names
}

output "topic_arn" {
  description = "The alarm topic."
  value       = module.notifications.topic_arn
}

output "alert_parameter_names" {
  description = "SecureString parameters to create for the forwarder (Slack webhook URL, Telegram bot token and chat id)."
  value       = module.notifications.alert_parameter_names
}

output "dashboard_url" {
  description = "The CloudWatch dashboard."
  value       = module.monitoring.dashboard_url
}

output "alarm_names" {
  description = "Every alarm's name, by key (aws cloudwatch set-alarm-state --alarm-name ...)."
  value       = merge(module.monitoring.alarm_names, module.notifications.alarm_names)
}
