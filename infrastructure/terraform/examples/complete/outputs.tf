output "function_name" {
  description = "The deployed function."
  value       = module.function.function_name
}

output "switch_parameter_names" {
  description = "Kill switch parameters to flip with aws ssm put-parameter."
  value       = module.function.switch_parameter_names
}

output "sns_topic_arn" {
  description = "Alarm topic."
  value       = module.monitoring.sns_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}
