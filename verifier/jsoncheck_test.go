package verifier

import (
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	deep := strings.Repeat(`{"a":`, maxJSONDepth) + `1` + strings.Repeat(`}`, maxJSONDepth)
	tooDeep := strings.Repeat(`{"a":`, maxJSONDepth+1) + `1` + strings.Repeat(`}`, maxJSONDepth+1)
	for _, tc := range []struct {
		in   string
		want error
	}{
		{`{}`, nil},
		{` {"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]} `, nil},
		{`{"a":"x\"y","b":"\\","c":"{\"a\":1}"}`, nil},
		{deep, nil},
		{`{"aé":1,"AÉ":2}`, errDuplicateKey},
		{`{"a":1,"a":2}`, errDuplicateKey},
		{`{"a":1,"A":2}`, errDuplicateKey},
		{`{"s":1,"ſ":2}`, errDuplicateKey},
		{`{"k":1,"\u212a":2}`, errDuplicateKey},
		{`{"a":1,"\u0061":2}`, errDuplicateKey},
		{`{"x":{"a":1,"a":2}}`, errDuplicateKey},
		{`{"x":[{"a":1},{"a":1,"b":{"a":1,"a":2}}]}`, errDuplicateKey},
		{`{"a":"a","b":"a"}`, nil}, // equal values are fine
		{tooDeep, errTooDeep},
		{`[]`, errNotObject},
		{`"{}"`, errNotObject},
		{`1`, errNotObject},
		{`{} {}`, errInvalidJSON},
		{`{"a":1,}`, errInvalidJSON},
		{"{\"a\":\"\xff\"}", errInvalidUTF8},
		{``, errInvalidJSON},
	} {
		if got := checkJSON([]byte(tc.in)); got != tc.want {
			t.Errorf("checkJSON(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
