package verifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/keys"
	"carnet/outbound"
	"carnet/schema"
	"carnet/verifier"
)

// A JWKS source answered with validators: the second fetch is conditional
// and a 304 costs no parsing; a changed document is read again.
func TestFetchConditional(t *testing.T) {
	mem := keys.NewMemStore()
	var (
		mu            sync.Mutex
		etag, lastMod = `"v1"`, "Fri, 14 Mar 2025 09:00:00 GMT"
		version       = "a"
		withETag      = true
		sentINM       []string
		sentIMS       []string
	)
	srv := httptest.NewServer(nil)
	defer srv.Close()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		sentINM = append(sentINM, r.Header.Get("If-None-Match"))
		sentIMS = append(sentIMS, r.Header.Get("If-Modified-Since"))
		if withETag {
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Cache-Control", "max-age=300")
		if (withETag && r.Header.Get("If-None-Match") == etag) || (!withETag && r.Header.Get("If-Modified-Since") == lastMod) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		did, _ := keys.DIDWeb(srv.URL, version)
		ring, _ := mem.Ring(version)
		json.NewEncoder(w).Encode(ring.JWKS(did))
	})
	f := &verifier.Fetcher{Client: local}
	ctx := context.Background()

	iss, info, nm, err := f.Fetch(ctx, srv.URL, nil)
	if err != nil || nm || len(iss) != 1 {
		t.Fatalf("first fetch: %v %v %v", iss, nm, err)
	}
	if info.ETag != `"v1"` || info.LastModified != lastMod || info.MaxAge != 5*time.Minute {
		t.Errorf("info = %+v", info)
	}
	iss, info2, nm, err := f.Fetch(ctx, srv.URL, &info)
	if err != nil || !nm || iss != nil {
		t.Fatalf("second fetch: issuers %v, not modified %v, %v; want a 304", iss, nm, err)
	}
	if info2.ETag != `"v1"` || info2.MaxAge != 5*time.Minute {
		t.Errorf("304 info = %+v", info2)
	}
	mu.Lock()
	if sentINM[1] != `"v1"` || sentIMS[1] != lastMod || sentINM[0] != "" || sentIMS[0] != "" {
		t.Errorf("validators sent: If-None-Match %q, If-Modified-Since %q", sentINM, sentIMS)
	}
	etag, version = `"v2"`, "b"
	mu.Unlock()
	iss, info3, nm, err := f.Fetch(ctx, srv.URL, &info2)
	if err != nil || nm || len(iss) != 1 || !strings.HasSuffix(iss[0].ID, ":s:b") || info3.ETag != `"v2"` {
		t.Fatalf("after a change: %v %+v %v %v", iss, info3, nm, err)
	}

	// Last-Modified alone; the 304 repeats no validator, the previous ones stay.
	mu.Lock()
	withETag = false
	mu.Unlock()
	_, info4, nm, err := f.Fetch(ctx, srv.URL, &verifier.FetchInfo{LastModified: lastMod})
	if err != nil || !nm || info4.LastModified != lastMod || info4.ETag != "" {
		t.Fatalf("If-Modified-Since: %+v %v %v", info4, nm, err)
	}
	// Empty validators: an unconditional fetch.
	if iss, _, nm, err := f.Fetch(ctx, srv.URL, &verifier.FetchInfo{}); err != nil || nm || len(iss) != 1 {
		t.Errorf("empty validators: %v %v %v", iss, nm, err)
	}
	// A 304 to a request without validators is an error, not an empty success.
	always := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) }))
	defer always.Close()
	if iss, _, nm, err := f.Fetch(ctx, always.URL, nil); err == nil || nm || iss != nil {
		t.Errorf("unsolicited 304: %v %v %v", iss, nm, err)
	}
	// Load is Fetch without validators.
	if iss, err := f.Load(ctx, srv.URL); err != nil || len(iss) != 1 {
		t.Errorf("Load: %v %v", iss, err)
	}
}

// The freshness of an answer, from its Cache-Control, Age, Expires and Date.
func TestFetchFreshness(t *testing.T) {
	mem := keys.NewMemStore()
	ring, _ := mem.Ring("a")
	date := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	httpDate := func(t time.Time) string { return t.Format(http.TimeFormat) }
	cases := map[string]struct {
		headers map[string]string
		want    time.Duration
	}{
		"none":                    {nil, 0},
		"max-age":                 {map[string]string{"Cache-Control": "max-age=600"}, 10 * time.Minute},
		"max-age among others":    {map[string]string{"Cache-Control": "public, max-age=60, must-revalidate"}, time.Minute},
		"max-age minus Age":       {map[string]string{"Cache-Control": "max-age=600", "Age": "100"}, 500 * time.Second},
		"Age past max-age":        {map[string]string{"Cache-Control": "max-age=60", "Age": "100"}, 0},
		"no-store":                {map[string]string{"Cache-Control": "no-store"}, 0},
		"no-cache wins":           {map[string]string{"Cache-Control": "max-age=600, no-cache"}, 0},
		"invalid max-age":         {map[string]string{"Cache-Control": "max-age=ten"}, 0},
		"repeated max-age":        {map[string]string{"Cache-Control": "max-age=60, max-age=600"}, 0},
		"Expires minus Date":      {map[string]string{"Date": httpDate(date), "Expires": httpDate(date.Add(time.Hour))}, time.Hour},
		"Expires and Age":         {map[string]string{"Date": httpDate(date), "Expires": httpDate(date.Add(time.Hour)), "Age": "600"}, 50 * time.Minute},
		"Expires in the past":     {map[string]string{"Date": httpDate(date), "Expires": httpDate(date.Add(-time.Hour))}, 0},
		"Expires invalid":         {map[string]string{"Date": httpDate(date), "Expires": "0"}, 0},
		"max-age wins on Expires": {map[string]string{"Cache-Control": "max-age=60", "Date": httpDate(date), "Expires": httpDate(date.Add(time.Hour))}, time.Minute},
		"huge max-age is bounded": {map[string]string{"Cache-Control": "max-age=999999999999999999"}, 365 * 24 * time.Hour},
	}
	srv := httptest.NewServer(nil)
	defer srv.Close()
	did, _ := keys.DIDWeb(srv.URL, "a")
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range cases[r.URL.Query().Get("case")].headers {
			w.Header().Set(k, v)
		}
		json.NewEncoder(w).Encode(ring.JWKS(did))
	})
	f := &verifier.Fetcher{Client: local, Now: func() time.Time { return date }}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, info, _, err := f.Fetch(context.Background(), srv.URL+"/jwks.json?case="+strings.ReplaceAll(name, " ", "+"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if info.MaxAge != tc.want {
				t.Errorf("MaxAge = %v, want %v", info.MaxAge, tc.want)
			}
		})
	}
}

// Redirects are followed only where a source may be fetched from.
func TestFetchRedirects(t *testing.T) {
	mem := keys.NewMemStore()
	ring, _ := mem.Ring("a")
	srv := httptest.NewServer(nil)
	defer srv.Close()
	did, _ := keys.DIDWeb(srv.URL, "a")
	mux := http.NewServeMux()
	mux.HandleFunc("/moved.json", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/jwks.json", http.StatusFound) })
	mux.HandleFunc("/jwks.json", func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(ring.JWKS(did)) })
	mux.HandleFunc("/away.json", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://carnet.example.org/jwks.json", http.StatusFound)
	})
	srv.Config.Handler = mux
	f := &verifier.Fetcher{Client: local}
	if iss, err := f.Load(context.Background(), srv.URL+"/moved.json"); err != nil || len(iss) != 1 {
		t.Errorf("redirect on loopback: %v %v", iss, err)
	}
	if _, err := f.Load(context.Background(), srv.URL+"/away.json"); !errors.Is(err, outbound.ErrNotHTTPS) {
		t.Errorf("redirect to plain http off loopback: %v", err)
	}
}

// The freshness of trust sources and status lists is one computation: an
// Expires without a Date counts from now, a repeated Expires or a max-age
// that is not plain digits means stale at once.
func TestFetchFreshnessShared(t *testing.T) {
	mem := keys.NewMemStore()
	ring, _ := mem.Ring("a")
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	httpDate := func(t time.Time) string { return t.Format(http.TimeFormat) }
	cases := map[string]struct {
		header func(h http.Header)
		want   time.Duration
	}{
		"Expires without Date": {func(h http.Header) {
			h["Date"] = nil // net/http sends none
			h.Set("Expires", httpDate(now.Add(time.Hour)))
		}, time.Hour},
		"repeated Expires": {func(h http.Header) {
			h.Set("Date", httpDate(now))
			h.Add("Expires", httpDate(now.Add(time.Hour)))
			h.Add("Expires", httpDate(now.Add(2*time.Hour)))
		}, 0},
		"signed max-age":     {func(h http.Header) { h.Set("Cache-Control", "max-age=+600") }, 0},
		"max-age on 2 lines": {func(h http.Header) { h.Add("Cache-Control", "max-age=600"); h.Add("Cache-Control", "max-age=600") }, 0},
		"huge Age":           {func(h http.Header) { h.Set("Cache-Control", "max-age=600"); h.Set("Age", "99999999999999999999") }, 0},
	}
	srv := httptest.NewServer(nil)
	defer srv.Close()
	did, _ := keys.DIDWeb(srv.URL, "a")
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cases[r.URL.Query().Get("case")].header(w.Header())
		json.NewEncoder(w).Encode(ring.JWKS(did))
	})
	f := &verifier.Fetcher{Client: local, Now: func() time.Time { return now }}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, info, _, err := f.Fetch(context.Background(), srv.URL+"/jwks.json?case="+strings.ReplaceAll(name, " ", "+"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if info.MaxAge != tc.want {
				t.Errorf("MaxAge = %v, want %v", info.MaxAge, tc.want)
			}
		})
	}
}

// Validators are kept as status lists keep them: one too long, or holding a
// control character, is dropped, never stored nor sent back.
func TestFetchValidatorsCleaned(t *testing.T) {
	mem := keys.NewMemStore()
	ring, _ := mem.Ring("a")
	long := `"` + strings.Repeat("x", 300) + `"`
	var mu sync.Mutex
	var sent []string
	srv := httptest.NewServer(nil)
	defer srv.Close()
	did, _ := keys.DIDWeb(srv.URL, "a")
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
		mu.Unlock()
		w.Header().Set("ETag", long)
		w.Header().Set("Last-Modified", "Fri,\t14 Mar 2025 09:00:00 GMT")
		json.NewEncoder(w).Encode(ring.JWKS(did))
	})
	f := &verifier.Fetcher{Client: local}
	_, info, _, err := f.Fetch(context.Background(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != "" || info.LastModified != "" {
		t.Errorf("validators kept: %+v", info)
	}
	// Validators held from elsewhere (a database) are cleaned before use.
	if _, _, nm, err := f.Fetch(context.Background(), srv.URL, &verifier.FetchInfo{ETag: long, LastModified: "a\tb"}); err != nil || nm {
		t.Fatalf("second fetch: %v %v", nm, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, s := range sent {
		if s != "|" {
			t.Errorf("sent validators %q", s)
		}
	}
}

// A 304 is accepted only to a request that held a validator: with empty
// validators, or only validators too long to send, it is an error.
func TestFetchUnexpectedNotModified(t *testing.T) {
	always := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) }))
	defer always.Close()
	f := &verifier.Fetcher{Client: local}
	for name, prev := range map[string]*verifier.FetchInfo{
		"empty validators":  {},
		"ETag too long":     {ETag: `"` + strings.Repeat("x", 300) + `"`},
		"control character": {LastModified: "a\x01b"},
	} {
		iss, _, nm, err := f.Fetch(context.Background(), always.URL, prev)
		if err == nil || nm || iss != nil || !strings.Contains(err.Error(), "not conditional") {
			t.Errorf("%s: 304 accepted: %v %v %v", name, iss, nm, err)
		}
		var e *schema.Error
		if !errors.As(err, &e) || !strings.Contains(e.MessageFR, "pas conditionnelle") {
			t.Errorf("%s: not a bilingual error: %#v", name, err)
		}
	}
}
