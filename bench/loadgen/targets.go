package main

import (
	"fmt"
	"strings"
)

// targets is the targets table: each target's measurement in every pass,
// met only when met in all of them.
func targets(runs []map[string]result, meta map[string]string) string {
	var b strings.Builder
	b.WriteString("| target |")
	for i := range runs {
		fmt.Fprintf(&b, " pass %d |", i+1)
	}
	b.WriteString(" |\n| --- |")
	for range runs {
		b.WriteString(" --- |")
	}
	b.WriteString(" --- |\n")
	var per [][]check
	for _, rs := range runs {
		per = append(per, checks(rs, meta))
	}
	for i, c := range per[0] {
		fmt.Fprintf(&b, "| %s |", c.target)
		ok := true
		for _, cs := range per {
			if i < len(cs) {
				fmt.Fprintf(&b, " %s |", cs[i].measured)
				ok = ok && cs[i].ok
			}
		}
		fmt.Fprintf(&b, " %s |\n", verdict(ok))
	}
	return b.String()
}
