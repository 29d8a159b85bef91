terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # data.aws_region.current.name is deprecated in 6.x (renamed `region`).
      version = ">= 5.40, < 6.0"
    }
  }
}
