"""Build, documentation and contract tools that run on the repository, not in the Lambda."""
