output "function_name" {
  description = "Name of the Lambda function (the FunctionName dimension of AWS/Lambda metrics)."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "timeout" {
  description = "The function's timeout in seconds (the monitoring module's function_timeout_seconds)."
  value       = aws_lambda_function.this.timeout
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "The function's log group: structured logs and the EMF documents (the collector's or the function's)."
  value       = aws_cloudwatch_log_group.this.name
}

output "bookings_table_name" {
  description = "Name of the bookings table (BOOKINGS_TABLE)."
  value       = aws_dynamodb_table.bookings.name
}

output "bookings_table_arn" {
  description = "ARN of the bookings table."
  value       = aws_dynamodb_table.bookings.arn
}

output "switch_parameter_names" {
  description = "SSM parameter of each kill switch, by switch name."
  value       = { for name, parameter in aws_ssm_parameter.switch : name => parameter.name }
}

output "collector_layer_arn" {
  description = "The ADOT collector layer the function runs; null without a collector (traces_exporter = xray_udp, metrics_exporter = emf)."
  value       = one(local.layers)
}

output "collector_config_uri" {
  description = "OPENTELEMETRY_COLLECTOR_CONFIG_URI: where the collector reads its configuration; null without a collector."
  value       = local.collector_config_uri
}

output "schedule_rule_arn" {
  description = "ARN of the EventBridge schedule rule."
  value       = aws_cloudwatch_event_rule.schedule.arn
}
