# tflint for every module and example (tests/iac runs it on each, with this file): its bundled
# terraform ruleset, every rule (the terraform-aws-modules set: naming, documented and typed
# variables and outputs, standard module structure, unused declarations, pinned versions...).
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
