package main

// The conversion itself, as kubeconform's openapi2jsonschema does it (see
// the package comment): main.go fetches the pinned modules and writes what
// this returns.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v4"
)

// FileName is kubeconform's schema file name for a kind: lower-case kind,
// the first label of the group (none for the core group), the version.
func FileName(group, version, kind string) string {
	name := strings.ToLower(kind)
	if group != "" {
		name += "-" + strings.ToLower(strings.Split(group, ".")[0])
	}
	return name + "-" + strings.ToLower(version) + ".json"
}

// Builtin converts the listed definitions of a Kubernetes swagger.json.
func Builtin(swaggerPath string) (map[string][]byte, error) {
	raw, err := os.ReadFile(swaggerPath) //nolint:gosec // a file of a downloaded, checksummed module
	if err != nil {
		return nil, err
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", swaggerPath, err)
	}
	out := map[string][]byte{}
	for _, name := range builtinKinds {
		def, ok := doc.Definitions[name]
		if !ok {
			return nil, fmt.Errorf("%s has no definition %s", swaggerPath, name)
		}
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		if len(gvks) != 1 {
			return nil, fmt.Errorf("%s: want one group-version-kind, got %v", name, gvks)
		}
		gvk, _ := gvks[0].(map[string]any)
		group, _ := gvk["group"].(string)
		version, _ := gvk["version"].(string)
		kind, _ := gvk["kind"].(string)
		s, err := expand(def, doc.Definitions, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		schema, _ := s.(map[string]any)
		pinKind(schema, group, version, kind)
		schema["$schema"] = "http://json-schema.org/schema#"
		b, err := marshal(schema)
		if err != nil {
			return nil, err
		}
		out[FileName(group, version, kind)] = b
	}
	return out, nil
}

// CRD converts every served version of a CustomResourceDefinition file.
func CRD(path string) (map[string][]byte, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // a file of a downloaded, checksummed module
	if err != nil {
		return nil, err
	}
	var crd struct {
		Spec struct {
			Group string `yaml:"group"`
			Names struct {
				Kind string `yaml:"kind"`
			} `yaml:"names"`
			Versions []struct {
				Name   string `yaml:"name"`
				Served bool   `yaml:"served"`
				Schema struct {
					OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
				} `yaml:"schema"`
			} `yaml:"versions"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string][]byte{}
	for _, v := range crd.Spec.Versions {
		if !v.Served || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		s, err := expand(v.Schema.OpenAPIV3Schema, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", path, v.Name, err)
		}
		schema, _ := s.(map[string]any)
		pinKind(schema, crd.Spec.Group, v.Name, crd.Spec.Names.Kind)
		schema["$schema"] = "http://json-schema.org/schema#"
		b, err := marshal(schema)
		if err != nil {
			return nil, err
		}
		out[FileName(crd.Spec.Group, v.Name, crd.Spec.Names.Kind)] = b
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no served version with a schema", path)
	}
	return out, nil
}

// pinKind makes apiVersion and kind required and exact.
func pinKind(schema map[string]any, group, version, kind string) {
	apiVersion := version
	if group != "" {
		apiVersion = group + "/" + version
	}
	props, _ := schema["properties"].(map[string]any)
	if props == nil {
		return
	}
	props["apiVersion"] = map[string]any{"type": "string", "enum": []any{apiVersion}}
	props["kind"] = map[string]any{"type": "string", "enum": []any{kind}}
	req, _ := schema["required"].([]any)
	have := map[string]bool{}
	for _, r := range req {
		if s, ok := r.(string); ok {
			have[s] = true
		}
	}
	for _, k := range []string{"apiVersion", "kind"} {
		if !have[k] {
			req = append(req, k)
		}
	}
	schema["required"] = req
}

var stringOrNumber = []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}

// expand returns a copy of a schema node with every #/definitions/ $ref
// inlined and kubeconform's strict rules applied. path guards recursion.
func expand(node any, defs map[string]map[string]any, path []string) (any, error) {
	switch n := node.(type) {
	case []any:
		out := make([]any, 0, len(n))
		for _, v := range n {
			e, err := expand(v, defs, path)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	case map[string]any:
		return expandObject(n, defs, path)
	default:
		return node, nil
	}
}

func expandObject(n map[string]any, defs map[string]map[string]any, path []string) (any, error) {
	if ref, ok := n["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/definitions/")
		if !found || defs[name] == nil {
			return nil, fmt.Errorf("unresolvable $ref %q", ref)
		}
		for _, p := range path {
			if p == name {
				return nil, fmt.Errorf("recursive definition %s (via %s)", name, strings.Join(path, " > "))
			}
		}
		if name == "io.k8s.apimachinery.pkg.api.resource.Quantity" {
			return map[string]any{"oneOf": stringOrNumber}, nil
		}
		return expand(defs[name], defs, append(path, name))
	}
	if n["format"] == "int-or-string" || n["x-kubernetes-int-or-string"] == true {
		return map[string]any{"oneOf": stringOrNumber}, nil
	}
	out := map[string]any{}
	for k, v := range n {
		switch {
		case k == "description" || k == "format" || k == "example" || strings.HasPrefix(k, "x-"):
			continue
		case k == "properties" || k == "patternProperties" || k == "definitions":
			m, _ := v.(map[string]any)
			props := map[string]any{}
			for pk, pv := range m {
				e, err := expand(pv, defs, path)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", pk, err)
				}
				props[pk] = e
			}
			out[k] = props
		default:
			e, err := expand(v, defs, path)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
	}
	if n["nullable"] == true {
		delete(out, "nullable")
		if t, ok := out["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
	}
	_, hasProps := out["properties"]
	_, hasAdditional := out["additionalProperties"]
	if hasProps && !hasAdditional && n["x-kubernetes-preserve-unknown-fields"] != true {
		out["additionalProperties"] = false
	}
	return out, nil
}

// marshal writes stable, indented JSON (map keys sorted by encoding/json).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
