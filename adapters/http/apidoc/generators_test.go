package apidoc_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// Code generators (oapi-codegen, and others that emit one flat namespace of
// types) make a type of every schema, parameter, response and request body
// component; two components of the same name in different sections stop them
// ("duplicate typename"). OpenAPI allows it, so only this test forbids it. The
// generators themselves run in cmd/agora's TestGeneratedGoClientWalksThrough.
func TestComponentNamesAreUniqueAcrossSections(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	sections := map[string][]string{}
	for name := range doc.Components.Schemas {
		sections["schemas"] = append(sections["schemas"], name)
	}
	for name := range doc.Components.Parameters {
		sections["parameters"] = append(sections["parameters"], name)
	}
	for name := range doc.Components.Responses {
		sections["responses"] = append(sections["responses"], name)
	}
	for name := range doc.Components.RequestBodies {
		sections["requestBodies"] = append(sections["requestBodies"], name)
	}
	if len(sections["schemas"]) == 0 || len(sections["parameters"]) == 0 {
		t.Fatal("the document has no schema or parameter components: wrong document?")
	}

	seen := map[string]string{} // type name -> components.<section>.<name>
	for _, section := range slices.Sorted(maps.Keys(sections)) {
		for _, name := range sections[section] {
			key := typeName(name)
			where := "components." + section + "." + name
			if prev, dup := seen[key]; dup {
				t.Errorf("%s and %s become the same generated type name %q: rename one (parameters end in Param)", prev, where, key)
				continue
			}
			seen[key] = where
		}
	}
}

// typeName is the name a generator gives a component, up to case: its letters
// and digits.
func typeName(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
}

func TestTypeNameKeepsOnlyLettersAndDigits(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Cursor": "cursor", "X-Request-ID": "xrequestid", "user_name2": "username2", "": ""} {
		if got := typeName(in); got != want {
			t.Errorf("typeName(%q) = %q, want %q", in, got, want)
		}
	}
}
