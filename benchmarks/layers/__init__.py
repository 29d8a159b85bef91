"""Stand-ins for the files the Lambda layers put at /opt/python (their `otel_wrapper.py`)."""
