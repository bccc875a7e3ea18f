inventory {
  file = "yaml_import.yaml"
}
