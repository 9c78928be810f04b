package systest

// RuleGroups is the data of Prometheus's /api/v1/rules, as far as the tests
// read it: every rule group with its rules' health.
type RuleGroups struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Name      string `json:"name"`
			Health    string `json:"health"`
			LastError string `json:"lastError"`
		} `json:"rules"`
	} `json:"groups"`
}

// Unhealthy counts the rules and lists those whose health is not "ok", as
// "group/rule: health error".
func (g RuleGroups) Unhealthy() (rules int, bad []string) {
	for _, grp := range g.Groups {
		for _, r := range grp.Rules {
			rules++
			if r.Health != "ok" {
				bad = append(bad, grp.Name+"/"+r.Name+": "+r.Health+" "+r.LastError)
			}
		}
	}
	return rules, bad
}
