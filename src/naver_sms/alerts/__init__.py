"""SNS-to-Slack/Telegram forwarder for the CloudWatch alarms (a Lambda of its own).

Entry point: `naver_sms.alerts.handler.lambda_handler`. See docs/alerts.md.
"""
