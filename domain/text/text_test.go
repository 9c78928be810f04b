package text_test

import (
	"testing"

	"agora/domain/text"
)

func TestProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		m    text.Multiline
		want string
	}{
		{"plain", "Ada Lovelace", text.SingleLine, ""},
		{"empty is left to the field's length rule", "", text.SingleLine, ""},
		{"accents and scripts", "Zoë Ωμέγα 李 عربي", text.SingleLine, ""},
		{"NUL", "a\x00b", text.SingleLine, text.MsgControl},
		{"NUL in a multi-line field", "a\x00b", text.MultiLine, text.MsgMultiline},
		{"escape", "a\x1b[31mred", text.SingleLine, text.MsgControl},
		{"DEL", "a\x7f", text.SingleLine, text.MsgControl},
		{"C1 control", "a\u0085b", text.SingleLine, text.MsgControl},
		{"newline in a single line", "a\nb", text.SingleLine, text.MsgControl},
		{"tab in a single line", "a\tb", text.SingleLine, text.MsgControl},
		{"newline, CR and tab in a multi-line field", "a\r\n\tb", text.MultiLine, ""},
		{"vertical tab in a multi-line field", "a\vb", text.MultiLine, text.MsgMultiline},
		{"invalid UTF-8", "a\xffb", text.SingleLine, text.MsgUTF8},
		{"a lone continuation byte", "\x80", text.MultiLine, text.MsgUTF8},
		{"only spaces", "   ", text.SingleLine, text.MsgBlank},
		{"only a zero-width space", "\u200b", text.MultiLine, text.MsgBlank},
		{"only no-break spaces and a BOM", "\u00a0\ufeff\u3000", text.SingleLine, text.MsgBlank},
		{"only a Hangul filler", "\u3164", text.SingleLine, text.MsgBlank},
		{"only a Braille blank and newlines", "\u2800\n\n", text.MultiLine, text.MsgBlank},
		{"only a bidi override", "\u202e", text.SingleLine, text.MsgBlank},
		{"zero-width chars around a letter are not blank", "\u200bx\u200b", text.SingleLine, ""},
	} {
		if got := text.Problem(tc.in, tc.m); got != tc.want {
			t.Errorf("%s: Problem(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestHasHidden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want bool
	}{
		{"plain", "Ada Lovelace", false},
		{"accents", "José Müller", false},
		{"emoji with variation selector", "I ❤️ Go", false},
		{"emoji ZWJ sequence", "dev 👩\u200d💻", false},
		{"ZWJ after a variation selector", "\u2764\ufe0f\u200d\U0001f525", false},
		{"Persian ZWNJ between letters", "می\u200cخواهم", false},
		{"right-to-left override", "evil\u202egnp.exe", true},
		{"left-to-right embedding", "a\u202ab", true},
		{"pop directional formatting", "a\u202cb", true},
		{"isolates", "a\u2066b\u2069", true},
		{"right-to-left mark", "a\u200fb", true},
		{"zero-width space", "Ad\u200ba", true},
		{"BOM", "\ufeffAda", true},
		{"soft hyphen", "Ad\u00ada", true},
		{"word joiner", "Ad\u2060a", true},
		{"leading ZWJ", "\u200dAda", true},
		{"trailing ZWNJ", "Ada\u200c", true},
		{"two joiners in a row", "a\u200d\u200db", true},
		{"no-break space", "Ada\u00a0Lovelace", true},
		{"ideographic space", "Ada\u3000L", true},
		{"tab", "Ada\tL", true},
		{"line separator", "Ada\u2028L", true},
		{"Hangul filler", "Ada\u3164", true},
		{"a lone variation selector", "\ufe0fAda", true},
	} {
		if got := text.HasHidden(tc.in); got != tc.want {
			t.Errorf("%s: HasHidden(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestTrimSpaceAndChars(t *testing.T) {
	t.Parallel()
	if got := text.TrimSpace(" \u00a0\tAda L\u3000\n"); got != "Ada L" {
		t.Fatalf("TrimSpace: %q", got)
	}
	if got := text.TrimSpace("\u200bAda"); got != "\u200bAda" {
		t.Fatalf("TrimSpace must leave format characters to the rules: %q", got)
	}
	if n := text.Chars("Zoë👩\u200d💻"); n != 6 {
		t.Fatalf("Chars: %d", n)
	}
}

// Every C0 and C1 control character is refused in a single line; in a
// multi-line field only tab, LF and CR pass.
func TestEveryControlCharacter(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= 0x9f; r++ {
		isCtl := r < 0x20 || r >= 0x7f
		s := "a" + string(r) + "b"
		if got := text.Problem(s, text.SingleLine) != ""; got != isCtl {
			t.Errorf("U+%04X single line: refused=%v, want %v", r, got, isCtl)
		}
		allowed := r == '\t' || r == '\n' || r == '\r'
		if got := text.Problem(s, text.MultiLine) != ""; got != (isCtl && !allowed) {
			t.Errorf("U+%04X multi-line: refused=%v", r, got)
		}
	}
}
