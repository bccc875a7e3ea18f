inventory {
  file = "nowhere.yaml" # ERROR: Cannot read inventory file
}
