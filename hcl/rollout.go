package hcl

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Rollout is the top-level `rollout {}` block: devices run in batches, one
// batch after another, and a batch starts only while the failures so far
// stay within MaxFailPercentage. The names are Ansible's.
type Rollout struct {
	// Serial gives the batch sizes in order; the last one repeats until
	// every selected device has had its batch.
	Serial []BatchSize
	// MaxFailPercentage: once the devices that failed so far are more
	// than this percentage of the devices run so far, no further batch
	// starts. Nil when not set: then the rollout stops only after a batch
	// in which every device failed (as Ansible does).
	MaxFailPercentage *float64
	DeclRange         hclv2.Range
}

// BatchSize is one entry of serial: a count of devices, or a percentage
// (1-100) of the selected devices.
type BatchSize struct {
	Count   int // > 0 for a count
	Percent int // > 0 for a percentage
}

func (b BatchSize) String() string {
	if b.Percent > 0 {
		return strconv.Itoa(b.Percent) + "%"
	}
	return strconv.Itoa(b.Count)
}

// Of is the batch's size out of total selected devices: a percentage is
// rounded down, as Ansible does, but is never less than one device.
func (b BatchSize) Of(total int) int {
	if b.Percent > 0 {
		return max(1, total*b.Percent/100)
	}
	return b.Count
}

// Batches splits n devices into batches: the index of the first device of
// each batch and its length, in order. Without serial entries, one batch.
func (r *Rollout) Batches(n int) [][2]int {
	var out [][2]int
	if n == 0 {
		return out
	}
	if r == nil || len(r.Serial) == 0 {
		return [][2]int{{0, n}}
	}
	for start, i := 0, 0; start < n; i++ {
		size := r.Serial[min(i, len(r.Serial)-1)].Of(n)
		size = min(max(size, 1), n-start)
		out = append(out, [2]int{start, size})
		start += size
	}
	return out
}

var rolloutSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "serial"},
		{Name: "max_fail_percentage"},
	},
}

// decodeRollout reads the optional top-level `rollout {}` block.
func (l *loader) decodeRollout(blocks []*hclv2.Block) {
	for i, blk := range blocks {
		if i > 0 {
			l.diags = append(l.diags, errorAt(blk.DefRange, "Duplicate rollout block",
				fmt.Sprintf("A rollout was already given at %s; a playbook has one rollout block.", rangeText(blocks[0].DefRange))))
			continue
		}
		ro := &Rollout{DeclRange: blk.DefRange}
		content, diags := blk.Body.Content(rolloutSchema)
		l.diags = append(l.diags, diags...)
		sc := scope{where: "in rollout"}
		if attr, ok := content.Attributes["serial"]; ok {
			ro.Serial = l.decodeSerial(attr, sc)
		}
		if attr, ok := content.Attributes["max_fail_percentage"]; ok {
			if v, ok := l.evalAttr(attr, cty.Number, sc); ok {
				f, _ := v.AsBigFloat().Float64()
				if f < 0 || f > 100 {
					l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid max_fail_percentage",
						fmt.Sprintf("max_fail_percentage is a percentage of the devices run so far, from 0 to 100; got %s.", v.AsBigFloat().Text('g', -1))))
				} else {
					ro.MaxFailPercentage = &f
				}
			}
		}
		l.pb.Rollout = ro
	}
}

// decodeSerial reads serial: a list of counts and "N%" strings, or one
// of them alone. Each entry is checked where it is written.
func (l *loader) decodeSerial(attr *hclv2.Attribute, sc scope) []BatchSize {
	v, ok := l.evalExpr(attr.Name, attr.Expr, cty.DynamicPseudoType, sc, l.pb.ctx)
	if !ok {
		return nil
	}
	var elems []cty.Value
	var ranges []hclv2.Range
	t := v.Type()
	switch {
	case t.IsTupleType() || t.IsListType():
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			elems = append(elems, ev)
		}
		if tup, ok := attr.Expr.(*hclsyntax.TupleConsExpr); ok && len(tup.Exprs) == len(elems) {
			for _, e := range tup.Exprs {
				ranges = append(ranges, e.Range())
			}
		}
	default:
		elems = []cty.Value{v}
	}
	if len(elems) == 0 {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid serial",
			`serial lists the batch sizes, e.g. [1, "25%", "100%"]; it is empty.`))
		return nil
	}
	var out []BatchSize
	bad := false
	for i, ev := range elems {
		rng := attr.Expr.Range()
		if i < len(ranges) {
			rng = ranges[i]
		}
		b, msg := batchSize(ev)
		if msg != "" {
			l.diags = append(l.diags, errorAt(rng, "Invalid serial entry", msg))
			bad = true
			continue
		}
		out = append(out, b)
	}
	if bad {
		return nil
	}
	return out
}

// batchSize reads one serial entry, or says what is wrong with it.
func batchSize(v cty.Value) (BatchSize, string) {
	v, _ = v.UnmarkDeep()
	const want = `A serial entry is a count of devices (a whole number from 1) or a percentage of the selected devices ("1%" to "100%")`
	if v.IsNull() || !v.IsKnown() {
		return BatchSize{}, want + "; this one has no value."
	}
	switch v.Type() {
	case cty.Number:
		bf := v.AsBigFloat()
		n, acc := bf.Int64()
		if acc != big.Exact || n < 1 || n > 1<<31 {
			return BatchSize{}, fmt.Sprintf("%s; got %s.", want, bf.Text('g', -1))
		}
		return BatchSize{Count: int(n)}, ""
	case cty.String:
		s := strings.TrimSpace(v.AsString())
		num, isPct := strings.CutSuffix(s, "%")
		n, err := strconv.Atoi(strings.TrimSpace(num))
		switch {
		case err != nil:
			return BatchSize{}, fmt.Sprintf("%s; got %q.", want, s)
		case isPct && (n < 1 || n > 100):
			return BatchSize{}, fmt.Sprintf("A percentage in serial is from 1%% to 100%% of the selected devices; got %q.", s)
		case isPct:
			return BatchSize{Percent: n}, ""
		case n < 1:
			return BatchSize{}, fmt.Sprintf("%s; got %q.", want, s)
		}
		return BatchSize{Count: n}, ""
	}
	return BatchSize{}, fmt.Sprintf("%s; got a %s.", want, v.Type().FriendlyName())
}
