package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"carnet/schema"
)

// TestFrameworksJSON checks `carnet frameworks ID --json`: the framework as
// GET /api/v1/frameworks/ID gives it, with each competency's levels
// ({"id", "statement": {"fr", "en"}, "plain": {"fr"}}) in level order.
func TestFrameworksJSON(t *testing.T) {
	for _, id := range schema.NewFrameworks().IDs() {
		code, out, errs := carnet(t, "", "frameworks", "--json", id)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", id, code, errs)
		}
		var got any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", id, err, out)
		}
		fw, _ := schema.NewFrameworks().Get(id)
		b, _ := json.Marshal(fw) // what the API answers (gin's c.JSON)
		var want any
		json.Unmarshal(b, &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the CLI's JSON differs from the API's", id)
		}
		comp := got.(map[string]any)["areas"].([]any)[0].(map[string]any)["competences"].([]any)[0].(map[string]any)
		first := comp["levels"].([]any)[0].(map[string]any)
		st, _ := first["statement"].(map[string]any)
		pl, _ := first["plain"].(map[string]any)
		if first["id"] == "" || st["fr"] == nil || st["en"] == nil || pl["fr"] == nil {
			t.Errorf("%s: first level of %v is %v", id, comp["code"], first)
		}
	}
	// Without --json, the text listing is unchanged.
	if code, out, _ := carnet(t, "", "frameworks", "cefr-fr"); code != 0 || !strings.Contains(out, "CO") || strings.Contains(out, `"statement"`) {
		t.Errorf("text listing: %d\n%s", code, out)
	}
}
