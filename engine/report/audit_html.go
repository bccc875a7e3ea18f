package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
)

// WriteAuditHTML writes the audit as one self-contained HTML file (CSS
// and JavaScript inline, no fetch of anything, so it opens offline from a
// mail attachment): the fleet's score, the score of each rule and group,
// a devices x rules matrix (coloured by result and severity; click a
// column to sort, type to filter), and per device not compliant the
// failed rules with the lines in context and the remediation.
//
// The markup is also well-formed XML (every element closed, the script
// free of < and &), so that tools and tests can read it with an XML
// parser.
func WriteAuditHTML(path string, a *Audit) error {
	page := buildAuditPage(a)
	err := writeFileAtomic(path, fileMode, func(w io.Writer) error {
		return auditTemplate().Execute(w, page)
	})
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

type auditPage struct {
	*Audit
	Started  string
	Duration string
	Summary  Score
	Percent  string
	DevPct   string
	Rules    []pageRule
	Groups   []pageGroup
	Devices  []pageDevice
	Failing  []pageDevice
}

type pageRule struct {
	RuleScore
	Percent string
	Passed  string
}

type pageGroup struct {
	GroupScore
	Percent string
}

type pageDevice struct {
	*AuditDevice
	Anchor string
	Status string // words
	Score  string // percent, for sorting
	Search string // what the filter looks in
	Cells  []pageCell
	Failed []pageResult
}

type pageCell struct {
	Class, Mark, Value, Title string
}

type pageResult struct {
	AuditResult
	Severity    string
	Message     string
	Lines       []pageLine
	Remediation string
}

type pageLine struct{ Class, Text string }

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }

func buildAuditPage(a *Audit) *auditPage {
	s := a.Summary()
	p := &auditPage{
		Audit:    a,
		Started:  a.Started.UTC().Format("2006-01-02 15:04 UTC"),
		Duration: fmtDuration(a.Duration),
		Summary:  s,
		Percent:  pct(s.Percent()),
		DevPct:   pct(s.DevicePercent()),
	}
	for _, r := range a.ByRule() {
		p.Rules = append(p.Rules, pageRule{RuleScore: r, Percent: pct(r.Percent()), Passed: fmt.Sprintf("%d/%d", r.Compliant, r.Compliant+r.NotCompliant)})
	}
	for _, g := range a.ByGroup() {
		p.Groups = append(p.Groups, pageGroup{GroupScore: g, Percent: pct(g.Percent())})
	}
	for i, d := range a.Devices {
		var ds Score
		ds.addDevice(d)
		pd := pageDevice{
			AuditDevice: d,
			Anchor:      "device-" + strconv.Itoa(i+1),
			Status:      statusWord(d.Status),
			Score:       pct(ds.Percent()),
			Search:      strings.ToLower(strings.Join(append([]string{d.Name, d.Platform, statusWord(d.Status)}, d.Groups...), " ")),
		}
		if d.Status == AuditError {
			pd.Score = "-1"
		}
		for _, rule := range a.Rules {
			r := d.Result(rule.ID)
			c := pageCell{Class: "na", Mark: "·", Value: "3", Title: rule.ID + ": not in this device's scope"}
			switch {
			case r == nil:
			case r.Status == AuditPass:
				c = pageCell{Class: "pass", Mark: "✓", Value: "2", Title: rule.ID + ": passed"}
			case r.Status == AuditFail:
				c = pageCell{Class: "fail sev-" + rule.Severity, Mark: "✗", Value: "0", Title: fmt.Sprintf("%s (%s): %s", rule.ID, rule.Severity, a.message(*r))}
			default:
				c = pageCell{Class: "err", Mark: "!", Value: "1", Title: rule.ID + ": " + a.message(*r)}
			}
			pd.Cells = append(pd.Cells, c)
		}
		for _, r := range d.Failed() {
			pr := pageResult{AuditResult: r, Severity: a.severity(r.Rule), Message: a.message(r), Remediation: strings.Join(r.Remediation, "\n")}
			for _, l := range strings.Split(strings.TrimRight(findingText(r.Findings), "\n"), "\n") {
				if l == "" {
					continue
				}
				cls := "ctx"
				switch l[0] {
				case '+':
					cls = "add"
				case '-':
					cls = "del"
				case '?':
					cls = "note"
				}
				pr.Lines = append(pr.Lines, pageLine{Class: cls, Text: l})
			}
			pd.Failed = append(pd.Failed, pr)
		}
		p.Devices = append(p.Devices, pd)
		if d.Status != AuditCompliant {
			p.Failing = append(p.Failing, pd)
		}
	}
	return p
}

// The script avoids < and & so that the page stays well-formed XML.
const auditScript = `(function () {
  var table = document.getElementById("matrix");
  var body = table.tBodies[0];
  var head = table.tHead.rows[0];
  var filter = document.getElementById("filter");
  var status = document.getElementById("status");
  var shown = document.getElementById("shown");
  function apply() {
    var q = filter.value.toLowerCase().trim();
    var st = status.value;
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = row.getAttribute("data-search").indexOf(q) !== -1;
      if (st !== "" ? row.getAttribute("data-status") !== st : false) { ok = false; }
      row.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = n + " of " + body.rows.length + " devices";
  }
  function sortBy(th, col) {
    var asc = th.getAttribute("data-dir") !== "asc";
    Array.prototype.forEach.call(head.cells, function (h) { h.removeAttribute("data-dir"); });
    th.setAttribute("data-dir", asc ? "asc" : "desc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(head.cells, function (th, col) {
    th.addEventListener("click", function () { sortBy(th, col); });
  });
  filter.addEventListener("input", apply);
  status.addEventListener("change", apply);
  apply();
})();
`

const auditCSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto; padding: 1.5em 2em; max-width: 1400px; }
h1 { font-size: 1.6em; margin: 0 0 .2em; }
h2 { font-size: 1.25em; margin: 1.6em 0 .6em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
.meta { color: #57606a; margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 1em; margin-top: 1.2em; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: .8em 1.2em; min-width: 11em; }
.card .big { font-size: 2em; font-weight: 600; }
.card.good .big { color: #1a7f37; } .card.bad .big { color: #cf222e; } .card.warn .big { color: #9a6700; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
#matrix th { cursor: pointer; user-select: none; white-space: nowrap; }
#matrix th[data-dir="asc"]::after { content: " \25B2"; } #matrix th[data-dir="desc"]::after { content: " \25BC"; }
#matrix td.c { text-align: center; font-weight: 600; min-width: 2.2em; }
td.pass { background: #dafbe1; color: #1a7f37; }
td.fail.sev-high { background: #ffcecb; color: #a40e26; }
td.fail.sev-medium { background: #ffe2c4; color: #953800; }
td.fail.sev-low { background: #fff4b8; color: #7d4e00; }
td.err { background: #e8dcd3; color: #6e4a2e; }
td.na { background: #f6f8fa; color: #8c959f; }
.st-compliant { color: #1a7f37; } .st-not_compliant { color: #cf222e; } .st-error { color: #9a6700; }
.bar { background: #eaeef2; border-radius: 3px; width: 8em; height: .8em; display: inline-block; }
.bar span { background: #2da44e; border-radius: 3px; height: 100%; display: block; }
.sev { display: inline-block; border-radius: 3px; padding: 0 .4em; font-size: .85em; font-weight: 600; }
span.sev.sev-high { background: #ffcecb; color: #a40e26; }
span.sev.sev-medium { background: #ffe2c4; color: #953800; }
span.sev.sev-low { background: #fff4b8; color: #7d4e00; }
.controls { margin: .4em 0 .8em; display: flex; gap: .8em; align-items: center; }
.controls input { padding: .3em .5em; min-width: 18em; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .6em .8em; overflow-x: auto; margin: .3em 0 .8em; }
pre .add { color: #1a7f37; } pre .del { color: #cf222e; } pre .note { color: #9a6700; } pre .ctx { color: #57606a; }
.legend { color: #57606a; font-size: .9em; margin-top: .5em; }
footer { margin-top: 3em; color: #8c959f; font-size: .85em; }
`

// auditTemplate is parsed when the first HTML report is written, not at
// every start.
var auditTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("audit").Funcs(template.FuncMap{
		"add": func(a, b int) int { return a + b },
	}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>Compliance audit: {{.Playbook}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header>
<h1>Compliance audit: {{.Playbook}}</h1>
<p class="meta">{{.Started}} · configurations from {{.Source}} · {{len .Audit.Devices}} devices, {{len .Audit.Rules}} rules · {{.Duration}}{{if .Interrupted}} · <strong>interrupted</strong>{{end}}</p>
</header>

<section class="cards" id="summary">
<div class="card {{if eq .Summary.Failed 0}}good{{else}}bad{{end}}"><div class="big" id="score">{{.Percent}}%</div><div>compliance score<br/>{{.Summary.Passed}} of {{.Summary.Passed | add .Summary.Failed}} checks passed</div></div>
<div class="card {{if eq .Summary.NotCompliant 0}}good{{else}}bad{{end}}"><div class="big">{{.Summary.Compliant}}/{{.Summary.Devices}}</div><div>devices compliant<br/>{{.DevPct}}% of those audited</div></div>
<div class="card {{if eq .Summary.NotCompliant 0}}good{{else}}bad{{end}}"><div class="big">{{.Summary.NotCompliant}}</div><div>devices not compliant</div></div>
<div class="card {{if eq .Summary.Errors 0}}good{{else}}warn{{end}}"><div class="big">{{.Summary.Errors}}</div><div>devices not audited</div></div>
</section>

<h2>Rules</h2>
<table id="rules">
<thead><tr><th>rule</th><th>severity</th><th>passed</th><th>score</th><th>message</th><th>from</th></tr></thead>
<tbody>
{{range .Rules}}<tr><td><code>{{.Rule.ID}}</code></td><td><span class="sev sev-{{.Rule.Severity}}">{{.Rule.Severity}}</span></td><td>{{.Passed}}</td><td><span class="bar"><span style="width: {{.Percent}}%"></span></span> {{.Percent}}%</td><td>{{.Rule.Message}}</td><td>{{.Rule.Origin}}</td></tr>
{{end}}</tbody>
</table>

<h2>Groups</h2>
<table id="groups">
<thead><tr><th>group</th><th>devices</th><th>compliant</th><th>not compliant</th><th>not audited</th><th>score</th></tr></thead>
<tbody>
{{range .Groups}}<tr><td>{{.Group}}</td><td>{{.Devices}}</td><td>{{.Compliant}}</td><td>{{.NotCompliant}}</td><td>{{.Errors}}</td><td><span class="bar"><span style="width: {{.Percent}}%"></span></span> {{.Percent}}%</td></tr>
{{end}}</tbody>
</table>

<h2>Devices × rules</h2>
<div class="controls">
<input id="filter" type="search" placeholder="filter: device, platform or group" aria-label="filter devices"/>
<select id="status" aria-label="device status"><option value="">all devices</option><option value="not_compliant">not compliant</option><option value="compliant">compliant</option><option value="error">not audited</option></select>
<span id="shown"></span>
</div>
<table id="matrix">
<thead><tr><th data-col="device">device</th><th data-col="platform">platform</th><th data-col="status">status</th><th data-col="score">score</th>{{range .Audit.Rules}}<th data-col="rule" class="rule sev-{{.Severity}}" title="{{.Severity}}: {{.Message}}">{{.ID}}</th>{{end}}</tr></thead>
<tbody>
{{range .Devices}}<tr data-device="{{.Name}}" data-status="{{.AuditDevice.Status}}" data-search="{{.Search}}"><td data-v="{{.Name}}">{{if ne .AuditDevice.Status "compliant"}}<a href="#{{.Anchor}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td><td data-v="{{.Platform}}">{{.Platform}}</td><td data-v="{{.AuditDevice.Status}}" class="st-{{.AuditDevice.Status}}">{{.Status}}</td><td data-v="{{.Score}}">{{if eq .Score "-1"}}–{{else}}{{.Score}}%{{end}}</td>{{range .Cells}}<td class="c {{.Class}}" data-v="{{.Value}}" title="{{.Title}}">{{.Mark}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
<p class="legend">✓ passed · ✗ failed (red: high, orange: medium, yellow: low) · ! could not be checked · · not in the device's scope. Click a column to sort; failed first.</p>

<h2>Findings and remediation</h2>
{{if not .Failing}}<p>Every device is compliant.</p>{{end}}
{{range .Failing}}<article class="device" id="{{.Anchor}}">
<h3>{{.Name}} <small>{{.Platform}}{{range .Groups}} · {{.}}{{end}}</small> · <span class="st-{{.AuditDevice.Status}}">{{.Status}}</span></h3>
{{if .Message}}<p>{{.Message}}</p>{{end}}{{if .Source}}<p class="meta">from {{.Source}}</p>{{end}}
{{range .Failed}}<div class="result">
<p><span class="sev sev-{{.Severity}}">{{.Severity}}</span> <code>{{.Rule}}</code>: {{.Message}}</p>
{{if .Lines}}<pre class="findings">{{range .Lines}}<span class="{{.Class}}">{{.Text}}</span>
{{end}}</pre>{{end}}
{{if .Remediation}}<p>Remediation:</p>
<pre class="remediation">{{.Remediation}}</pre>{{end}}
</div>
{{end}}</article>
{{end}}
<footer>Written by runbook audit. This file is self-contained: it loads nothing from the network. Credentials in configuration lines are shown as (sensitive).</footer>
<script>{{.Script}}</script>
</body>
</html>
`))
})

// CSS and Script are trusted constants of this package.
func (p *auditPage) CSS() template.CSS   { return template.CSS(auditCSS) }
func (p *auditPage) Script() template.JS { return template.JS(auditScript) }
