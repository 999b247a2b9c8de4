package schema

import (
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxJSONDepth) + `1` + strings.Repeat(`}`, MaxJSONDepth)
	tooDeep := strings.Repeat(`{"a":`, MaxJSONDepth+1) + `1` + strings.Repeat(`}`, MaxJSONDepth+1)
	for _, tc := range []struct {
		in   string
		want error
	}{
		{`{}`, nil},
		{` {"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]} `, nil},
		{`{"a":"x\"y","b":"\\","c":"{\"a\":1}"}`, nil},
		{deep, nil},
		{`{"aé":1,"AÉ":2}`, ErrJSONDuplicateKey},
		{`{"a":1,"a":2}`, ErrJSONDuplicateKey},
		{`{"a":1,"A":2}`, ErrJSONDuplicateKey},
		{`{"s":1,"ſ":2}`, ErrJSONDuplicateKey},
		{`{"k":1,"\u212a":2}`, ErrJSONDuplicateKey},
		{`{"a":1,"\u0061":2}`, ErrJSONDuplicateKey},
		{`{"x":{"a":1,"a":2}}`, ErrJSONDuplicateKey},
		{`{"x":[{"a":1},{"a":1,"b":{"a":1,"a":2}}]}`, ErrJSONDuplicateKey},
		{`{"a":"a","b":"a"}`, nil}, // equal values are fine
		{tooDeep, ErrJSONTooDeep},
		{`[]`, ErrJSONNotObject},
		{`"{}"`, ErrJSONNotObject},
		{`1`, ErrJSONNotObject},
		{`{} {}`, ErrJSONInvalid},
		{`{"a":1,}`, ErrJSONInvalid},
		{"{\"a\":\"\xff\"}", ErrJSONInvalidUTF8},
		{``, ErrJSONInvalid},
	} {
		if got := CheckJSON([]byte(tc.in)); got != tc.want {
			t.Errorf("CheckJSON(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
