package hcl

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// tokenNesting is scanNesting's measure computed from hclsyntax's own
// tokens: slower and allocating (a token per lexeme), but it cannot
// disagree with the parser about what is code and what is text.
func tokenNesting(src []byte) int {
	tokens, _ := hclsyntax.LexConfig(src, "p.hcl", hclv2.InitialPos)
	closer := map[hclsyntax.TokenType]hclsyntax.TokenType{
		hclsyntax.TokenOBrace:          hclsyntax.TokenCBrace,
		hclsyntax.TokenOBrack:          hclsyntax.TokenCBrack,
		hclsyntax.TokenOParen:          hclsyntax.TokenCParen,
		hclsyntax.TokenOQuote:          hclsyntax.TokenCQuote,
		hclsyntax.TokenOHeredoc:        hclsyntax.TokenCHeredoc,
		hclsyntax.TokenTemplateInterp:  hclsyntax.TokenTemplateSeqEnd,
		hclsyntax.TokenTemplateControl: hclsyntax.TokenTemplateSeqEnd,
	}
	isCloser := map[hclsyntax.TokenType]bool{}
	for _, c := range closer {
		isCloser[c] = true
	}
	operator := map[hclsyntax.TokenType]bool{
		hclsyntax.TokenQuestion: true, hclsyntax.TokenBang: true,
		hclsyntax.TokenPlus: true, hclsyntax.TokenMinus: true, hclsyntax.TokenStar: true,
		hclsyntax.TokenSlash: true, hclsyntax.TokenPercent: true,
		hclsyntax.TokenAnd: true, hclsyntax.TokenOr: true,
		hclsyntax.TokenEqualOp: true, hclsyntax.TokenNotEqual: true,
		hclsyntax.TokenLessThan: true, hclsyntax.TokenLessThanEq: true,
		hclsyntax.TokenGreaterThan: true, hclsyntax.TokenGreaterThanEq: true,
	}
	type level struct {
		closer hclsyntax.TokenType
		ops    int
	}
	stack := []level{{closer: hclsyntax.TokenEOF}}
	depth, deepest := 0, 0
	for i, tok := range tokens {
		top := &stack[len(stack)-1]
		newline := tok.Type == hclsyntax.TokenNewline ||
			tok.Type == hclsyntax.TokenComment && len(tok.Bytes) > 0 && tok.Bytes[len(tok.Bytes)-1] == '\n'
		switch {
		case closer[tok.Type] != 0:
			stack = append(stack, level{closer: closer[tok.Type]})
			depth++
		case operator[tok.Type]:
			top.ops++
			depth++
		case tok.Type == hclsyntax.TokenComma ||
			newline && (top.closer == hclsyntax.TokenCBrace || top.closer == hclsyntax.TokenEOF):
			depth -= top.ops
			top.ops = 0
		case tok.Type == hclsyntax.TokenIdent && i > 0 && tokens[i-1].Type == hclsyntax.TokenTemplateControl && len(stack) > 1:
			tmpl := &stack[len(stack)-2]
			switch string(tok.Bytes) {
			case "if", "for":
				tmpl.ops++
				depth++
			case "endif", "endfor":
				if tmpl.ops > 0 {
					tmpl.ops--
					depth--
				}
			}
		case isCloser[tok.Type]:
			// The scanner counts braces: "}" and "~}" close the innermost
			// of a brace, ${ and %{ whichever token it makes of them.
			brace := tok.Type == hclsyntax.TokenCBrace || tok.Type == hclsyntax.TokenTemplateSeqEnd
			for j := len(stack) - 1; j > 0; j-- {
				c := stack[j].closer
				if c == tok.Type || brace && (c == hclsyntax.TokenCBrace || c == hclsyntax.TokenTemplateSeqEnd) {
					for _, l := range stack[j:] {
						depth -= 1 + l.ops
					}
					stack = stack[:j]
					break
				}
			}
		}
		deepest = max(deepest, depth)
	}
	return deepest
}

var nestingSeeds = []string{
	"locals { a = [[[1]]] }\n",
	"a = \"x%{~ if true}y%{endif}${1+-2}\"\n",
	"a = <<EOT\nx ${a} %{for x in y}${\"q\"}%{endfor}\n  EOT\nb = (1)\n",
	"a = <<-EOT\r\n$${x} %%{y}\r\nEOT\r\n",
	"a = 1 ? 2 : !3 - 4 != 5 >= 6 && 7 || 8 # c ((\n/* [[ */ b = [for x in y : x => z...]\n",
	"a = \"\\\"${\"}\"}\\\\\"\nb = \"unterminated\n[[[\n",
	"a = \"${ [ }\" ] )\n",
}

// FuzzNesting checks that the byte scanner never measures less nesting
// than the parser's own tokens give: a place where the two disagree
// about what is text would let deep nesting through to the parser.
func FuzzNesting(f *testing.F) {
	for _, s := range nestingSeeds {
		f.Add([]byte(s))
	}
	paths, _ := filepath.Glob("../playbooks/*.hcl")
	more, _ := filepath.Glob("testdata/invalid/*.hcl")
	for _, p := range append(paths, more...) {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !utf8.Valid(src) {
			return // Load rejects it before measuring
		}
		got, _ := scanNesting(src, 1<<30)
		if want := tokenNesting(src); got < want {
			t.Fatalf("scanNesting measured %d, the tokens %d, for %q", got, want, src)
		}
	})
}

func TestNestingMeasure(t *testing.T) {
	for _, s := range nestingSeeds {
		got, _ := scanNesting([]byte(s), 1<<30)
		if want := tokenNesting([]byte(s)); got != want {
			t.Errorf("scanNesting(%q) = %d, the tokens give %d", s, got, want)
		}
	}
}
