package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium is a headless browser on this machine, or "" (the test then
// skips, unless RUNBOOK_REQUIRE_BROWSER=1 as in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("RUNBOOK_REQUIRE_BROWSER") == "1" {
		t.Fatal("RUNBOOK_REQUIRE_BROWSER=1 but no chromium (apt-get install chromium)")
	}
	t.Skip("no headless browser (apt-get install chromium)")
	return ""
}

// The HTML report's matrix in a real browser: the page's own script runs
// without error, then a test script types into the filter, picks a status
// and clicks a column header twice, as a reader would; the DOM after that
// shows the rows the page kept, in the order it sorted them.
func TestAuditHTMLInABrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "a.html")
	if err := WriteAuditHTML(path, auditFixture()); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The reader's actions, recorded into the page for --dump-dom.
	const drive = `<script>
(function () {
  var out = [];
  function visible() {
    return Array.prototype.filter.call(document.querySelectorAll("#matrix tbody tr"), function (r) { return !r.hidden; })
      .map(function (r) { return r.getAttribute("data-device"); }).join(",");
  }
  out.push("loaded=" + document.getElementById("shown").textContent);
  var f = document.getElementById("filter");
  f.value = "SW"; f.dispatchEvent(new Event("input"));
  out.push("filter=" + visible() + "|" + document.getElementById("shown").textContent);
  f.value = ""; f.dispatchEvent(new Event("input"));
  var s = document.getElementById("status");
  s.value = "compliant"; s.dispatchEvent(new Event("change"));
  out.push("status=" + visible());
  s.value = ""; s.dispatchEvent(new Event("change"));
  var name = document.querySelector("#matrix thead tr").cells[0];
  name.click();
  out.push("asc=" + visible() + "|" + name.getAttribute("data-dir"));
  name.click();
  out.push("desc=" + visible() + "|" + name.getAttribute("data-dir"));
  var pre = document.createElement("pre");
  pre.id = "browser-result";
  pre.textContent = out.join("\n");
  document.body.appendChild(pre);
})();
</script>`
	driven := strings.Replace(string(page), "</body>", drive+"</body>", 1)
	if driven == string(page) {
		t.Fatal("the page has no </body>")
	}
	dpath := filepath.Join(dir, "driven.html")
	if err := os.WriteFile(dpath, []byte(driven), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+dpath)
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", browser, err)
	}
	m := regexp.MustCompile(`(?s)<pre id="browser-result">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the test script did not run (the page's own script failed first?):\n%s", dom)
	}
	got := strings.ReplaceAll(string(m[1]), "&lt;", "<")
	got = strings.ReplaceAll(got, "&gt;", ">")
	got = strings.ReplaceAll(got, "&amp;", "&")
	want := strings.Join([]string{
		"loaded=5 of 5 devices",
		"filter=sw1,sw2|2 of 5 devices",
		"status=sw2,core1",
		"asc=core1,core2,sw1,sw2,x<1>|asc",
		"desc=x<1>,sw2,sw1,core2,core1|desc",
	}, "\n")
	if got != want {
		t.Errorf("in the browser:\n%s\nwant\n%s", got, want)
	}
}
