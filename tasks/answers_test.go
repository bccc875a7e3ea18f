package tasks

import "testing"

func TestSendConfigSetAnswers(t *testing.T) {
	a, diags := decode(t, "send_config_set", `
commands = ["crypto key generate rsa modulus 2048"]
answers  = { "\\[yes/no\\]:?\\s*$" = "yes", "(?i)how many bits" = "2048" }
`, hostCtx())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := a.(*SendConfigSet).answers
	if len(got) != 2 {
		t.Fatalf("%d answers, want 2", len(got))
	}
	for _, q := range got {
		switch q.Answer {
		case "yes":
			if !q.Question.MatchString("Do you really want to replace them? [yes/no]: ") {
				t.Errorf("yes/no question %q does not match", q.Question)
			}
		case "2048":
			if !q.Question.MatchString("How many bits in the modulus [512]: ") {
				t.Errorf("bits question %q does not match", q.Question)
			}
		default:
			t.Errorf("unexpected answer %q", q.Answer)
		}
	}
	_, diags = decode(t, "send_config_set", `
commands = ["x"]
answers  = { "[unclosed" = "y" }
`, hostCtx())
	if !diags.HasErrors() || diags[0].Summary != "Invalid answers" {
		t.Errorf("a bad question regex: %v", diags)
	}
}
