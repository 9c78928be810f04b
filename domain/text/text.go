// Package text holds the rules that every piece of text a person types obeys
// before it is stored or shown to others: valid UTF-8, no control characters
// (a NUL cannot even be stored), and no text that looks empty or reads in a
// different order than it was written. The value types of the other domain
// packages (user, post, connection) build their field rules from these.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages for the field errors these rules produce (the API's errors[].message).
const (
	MsgUTF8      = "must be valid UTF-8"
	MsgControl   = "must not contain control characters"
	MsgMultiline = "must not contain control characters other than tab and newline"
	MsgBlank     = "must not be only white space or invisible characters"
	MsgHidden    = "must not contain invisible or direction-changing characters"
)

// Multiline says whether a field may hold line breaks and tabs (a post body,
// a bio); every other field is a single line.
type Multiline bool

// The two kinds of fields.
const (
	SingleLine Multiline = false
	MultiLine  Multiline = true
)

// IsControl reports a control character: C0 (U+0000-U+001F), DEL and C1
// (U+0080-U+009F). Tab, line feed and carriage return count as control
// characters too unless m allows them.
func IsControl(r rune, m Multiline) bool {
	if m && (r == '\t' || r == '\n' || r == '\r') {
		return false
	}
	return unicode.IsControl(r)
}

// HasControl reports whether s holds a control character that m does not allow.
func HasControl(s string, m Multiline) bool {
	return strings.IndexFunc(s, func(r rune) bool { return IsControl(r, m) }) >= 0
}

// fillers are letters and symbols that render as nothing although Unicode
// does not class them as format characters: Hangul fillers, the Braille
// blank, the Khmer inherent vowels, the Mongolian vowel separator and the
// combining grapheme joiner.
var fillers = map[rune]bool{
	0x115F: true, 0x1160: true, 0x3164: true, 0xFFA0: true, 0x2800: true,
	0x17B4: true, 0x17B5: true, 0x180E: true, 0x034F: true,
}

// IsInvisible reports a character that shows nothing on its own: white
// space, format characters (category Cf: zero-width spaces and joiners,
// bidirectional marks and overrides, soft hyphen, BOM...), variation
// selectors, the line and paragraph separators and the fillers above.
func IsInvisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) ||
		unicode.Is(unicode.Zp, r) || unicode.Is(unicode.Variation_Selector, r) || fillers[r] ||
		unicode.IsControl(r)
}

// Blank reports whether s shows nothing: it is empty once white space and
// invisible characters are removed.
func Blank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !IsInvisible(r) }) < 0
}

// joiners are the zero-width characters that real scripts need between two
// visible characters: the zero-width joiner builds emoji sequences (👩‍💻)
// and shapes Indic scripts, the non-joiner is part of Persian spelling.
var joiners = map[rune]bool{0x200C: true, 0x200D: true}

// HasHidden reports a character that a name must not contain because it
// hides text or changes the order it is read in: any invisible character
// other than the plain space (U+0020), which includes the bidirectional
// overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069), the
// zero-width space, the BOM, no-break and other unusual spaces and the line
// separators. The two joiners are allowed only between two visible
// characters, where scripts and emoji need them.
func HasHidden(s string) bool {
	runes := []rune(s)
	for i, r := range runes {
		if r == ' ' || !IsInvisible(r) || unicode.Is(unicode.Variation_Selector, r) && i > 0 && !IsInvisible(runes[i-1]) {
			continue
		}
		if joiners[r] && i > 0 && i < len(runes)-1 && visibleOrSelector(runes[i-1]) && !IsInvisible(runes[i+1]) {
			continue
		}
		return true
	}
	return false
}

// visibleOrSelector lets a joiner follow an emoji's variation selector
// (❤️‍🔥 is U+2764 U+FE0F U+200D U+1F525).
func visibleOrSelector(r rune) bool {
	return !IsInvisible(r) || unicode.Is(unicode.Variation_Selector, r)
}

// TrimSpace removes white space (Unicode's definition) from both ends.
func TrimSpace(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }

// Chars counts characters (code points), the unit of every length rule.
func Chars(s string) int { return utf8.RuneCountInString(s) }

// Problem returns the message for the first rule s breaks as text of the
// given kind, or "" when it is clean: valid UTF-8, no control characters
// that m does not allow, and, when not empty, something visible.
// Length and the name rule (HasHidden) are left to the field's own rule.
func Problem(s string, m Multiline) string {
	switch {
	case !utf8.ValidString(s):
		return MsgUTF8
	case HasControl(s, m) && bool(m):
		return MsgMultiline
	case HasControl(s, m):
		return MsgControl
	case s != "" && Blank(s):
		return MsgBlank
	}
	return ""
}

// RequiredProblem returns the message for a required single-line value
// (a login, an opaque token) that is empty, over maxChars characters or
// breaks the rules of all text (a NUL would reach PostgreSQL, which cannot
// store it), or "" when it is acceptable. Only white space is not refused
// here: such a value is looked up and simply matches nothing.
func RequiredProblem(v string, maxChars int) string {
	if p := Problem(v, SingleLine); p != "" && p != MsgBlank {
		return p
	}
	switch n := Chars(v); {
	case n == 0:
		return "is required"
	case n > maxChars:
		return "is too long"
	}
	return ""
}
