# Placeholder until the collector build lands (issue 4).
.PHONY: collector
collector:
	@true
