package places

import (
	"fmt"
	"strconv"
	"strings"
)

// ValidateHours checks an OpenStreetMap opening_hours value. No maintained
// Go library parses that syntax, so this is a careful parser of the part of
// it that places use (what YoHours, the tool the standard points to,
// writes, and more):
//
//	24/7
//	Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off
//	Mo,We,Fr 10:00-12:00 || "sur rendez-vous"
//	Jan-Jun,Sep-Dec Tu 14:00-17:00; Jul-Aug off
//	Dec 25 off; 2025 Mo[1] 09:00-12:00; Su[-1] 10:00+
//	week 01-26 Mo 09:00-12:00
//
// Rules are separated by ";", "||" or ","; each rule is an optional year
// range, month/date ranges, week ranges and weekdays (Mo…Su, Mo-Fr, Mo[1],
// PH, SH), then times (HH:MM-HH:MM, up to 48:00 past midnight, an open end
// "+"), then open/closed/off/unknown and a quoted comment. Variable times
// (sunrise, sunset, dawn, dusk) and other extensions are refused with a
// message that says where.
func ValidateHours(s string) error {
	toks, err := hoursTokens(s)
	if err != nil {
		return err
	}
	if len(toks) == 0 {
		return fmt.Errorf("empty opening hours")
	}
	p := &hoursParser{toks: toks}
	return p.sequence()
}

type hoursTok struct {
	kind byte // 'w' word, 'n' number, 't' time, 's' string, 'p' punctuation
	text string
	pos  int
}

func hoursTokens(s string) ([]hoursTok, error) {
	var toks []hoursTok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			j := i
			for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z') {
				j++
			}
			toks = append(toks, hoursTok{'w', s[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == ':' && j+3 <= len(s) && isDigit(s[j+1]) && isDigit(s[j+2]) && j-i <= 2 {
				toks = append(toks, hoursTok{'t', s[i : j+3], i})
				i = j + 3
				continue
			}
			toks = append(toks, hoursTok{'n', s[i:j], i})
			i = j
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unclosed comment at character %d", i+1)
			}
			toks = append(toks, hoursTok{'s', s[i+1 : i+1+j], i})
			i += j + 2
		case c == '|' && i+1 < len(s) && s[i+1] == '|':
			toks = append(toks, hoursTok{'p', "||", i})
			i += 2
		case strings.IndexByte(";,-[]+/:", c) >= 0:
			toks = append(toks, hoursTok{'p', string(c), i})
			i++
		default:
			return nil, fmt.Errorf("unexpected character %q at character %d", string(rune(s[i])), i+1)
		}
	}
	return toks, nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

var (
	hoursWeekdays = []string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}
	hoursMonths   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	hoursModifier = []string{"open", "closed", "off", "unknown"}
	hoursVariable = []string{"sunrise", "sunset", "dawn", "dusk", "easter"}
)

func in(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

type hoursParser struct {
	toks []hoursTok
	i    int
}

func (p *hoursParser) peek() *hoursTok {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

func (p *hoursParser) isP(text string) bool {
	t := p.peek()
	return t != nil && t.kind == 'p' && t.text == text
}

func (p *hoursParser) fail(what string) error {
	t := p.peek()
	if t == nil {
		return fmt.Errorf("unexpected end: %s expected", what)
	}
	for _, v := range hoursVariable {
		if strings.EqualFold(t.text, v) {
			return fmt.Errorf("variable times (%s) are not supported, at character %d: give clock times", t.text, t.pos+1)
		}
	}
	return fmt.Errorf("%q at character %d: %s expected", t.text, t.pos+1, what)
}

// sequence := rule ((";" | "||" | ",") rule)*
func (p *hoursParser) sequence() error {
	for {
		if err := p.rule(); err != nil {
			return err
		}
		if p.peek() == nil {
			return nil
		}
		if p.isP(";") || p.isP("||") || p.isP(",") {
			p.i++
			if p.peek() == nil && p.toks[p.i-1].text == ";" {
				return nil // a trailing ";" is tolerated
			}
			continue
		}
		return p.fail(`";" between rules`)
	}
}

func (p *hoursParser) rule() error {
	start := p.i
	if t := p.peek(); t != nil && t.kind == 'n' && t.text == "24" && p.i+2 < len(p.toks) && p.toks[p.i+1].text == "/" && p.toks[p.i+2].text == "7" {
		p.i += 3
	} else {
		if t := p.peek(); t != nil && t.kind == 'n' && len(t.text) == 4 {
			if err := p.years(); err != nil {
				return err
			}
		}
		if t := p.peek(); t != nil && t.kind == 'w' && in(hoursMonths, t.text) {
			if err := p.months(); err != nil {
				return err
			}
		}
		if t := p.peek(); t != nil && t.kind == 'w' && t.text == "week" {
			if err := p.weeks(); err != nil {
				return err
			}
		}
		if t := p.peek(); t != nil && t.kind == 'w' && (in(hoursWeekdays, t.text) || t.text == "PH" || t.text == "SH") {
			if err := p.weekdays(); err != nil {
				return err
			}
		}
		if t := p.peek(); t != nil && t.kind == 't' {
			if err := p.times(); err != nil {
				return err
			}
		}
	}
	if t := p.peek(); t != nil && t.kind == 'w' && in(hoursModifier, t.text) {
		p.i++
	}
	if t := p.peek(); t != nil && t.kind == 's' {
		p.i++
	}
	if p.i == start {
		return p.fail("a weekday, a month, a time, 24/7 or off")
	}
	return nil
}

func (p *hoursParser) years() error {
	for {
		if err := p.year(); err != nil {
			return err
		}
		if p.isP("-") {
			p.i++
			if err := p.year(); err != nil {
				return err
			}
		}
		if !p.isP(",") || p.i+1 >= len(p.toks) || p.toks[p.i+1].kind != 'n' || len(p.toks[p.i+1].text) != 4 {
			return nil
		}
		p.i++
	}
}

func (p *hoursParser) year() error {
	t := p.peek()
	if t == nil || t.kind != 'n' || len(t.text) != 4 || t.text < "1900" {
		return p.fail("a year")
	}
	p.i++
	return nil
}

// months := monthdate ("-" monthdate?)? ("," ...)*; monthdate := Mon [DD]
func (p *hoursParser) months() error {
	for {
		if err := p.monthDate(true); err != nil {
			return err
		}
		if p.isP("-") {
			p.i++
			if t := p.peek(); t != nil && t.kind == 'n' {
				if err := p.day(); err != nil {
					return err
				}
			} else if err := p.monthDate(true); err != nil {
				return err
			}
		}
		if !p.isP(",") || p.i+1 >= len(p.toks) || !in(hoursMonths, p.toks[p.i+1].text) {
			return nil
		}
		p.i++
	}
}

func (p *hoursParser) monthDate(required bool) error {
	t := p.peek()
	if t == nil || t.kind != 'w' || !in(hoursMonths, t.text) {
		return p.fail("a month (Jan…Dec)")
	}
	p.i++
	if t := p.peek(); t != nil && t.kind == 'n' && len(t.text) <= 2 {
		return p.day()
	}
	return nil
}

func (p *hoursParser) day() error {
	t := p.peek()
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 1 || n > 31 {
		return p.fail("a day of the month (1–31)")
	}
	p.i++
	return nil
}

func (p *hoursParser) weeks() error {
	p.i++ // "week"
	for {
		if err := p.number(1, 53, "a week number (1–53)"); err != nil {
			return err
		}
		if p.isP("-") {
			p.i++
			if err := p.number(1, 53, "a week number (1–53)"); err != nil {
				return err
			}
			if p.isP("/") {
				p.i++
				if err := p.number(1, 53, "a week step"); err != nil {
					return err
				}
			}
		}
		if !p.isP(",") || p.i+1 >= len(p.toks) || p.toks[p.i+1].kind != 'n' {
			return nil
		}
		p.i++
	}
}

func (p *hoursParser) number(lo, hi int, what string) error {
	t := p.peek()
	if t == nil || t.kind != 'n' {
		return p.fail(what)
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < lo || n > hi {
		return p.fail(what)
	}
	p.i++
	return nil
}

// weekdays := wd ("-" wd | "[" nth "]")? ("," ...)*, wd also PH, SH
func (p *hoursParser) weekdays() error {
	for {
		t := p.peek()
		if t == nil || t.kind != 'w' || !(in(hoursWeekdays, t.text) || t.text == "PH" || t.text == "SH") {
			return p.fail("a weekday (Mo Tu We Th Fr Sa Su, PH, SH)")
		}
		p.i++
		if in(hoursWeekdays, t.text) {
			if p.isP("-") {
				p.i++
				if u := p.peek(); u == nil || u.kind != 'w' || !in(hoursWeekdays, u.text) {
					return p.fail("a weekday (Mo…Su)")
				}
				p.i++
			} else if p.isP("[") {
				p.i++
				for {
					if p.isP("-") {
						p.i++
					}
					if err := p.number(1, 5, "a week of the month (1–5 or -1…-5)"); err != nil {
						return err
					}
					if p.isP("-") {
						p.i++
						if err := p.number(1, 5, "a week of the month (1–5)"); err != nil {
							return err
						}
					}
					if !p.isP(",") {
						break
					}
					p.i++
				}
				if !p.isP("]") {
					return p.fail(`"]"`)
				}
				p.i++
			}
		}
		if !p.isP(",") || p.i+1 >= len(p.toks) {
			return nil
		}
		n := p.toks[p.i+1]
		if n.kind != 'w' || !(in(hoursWeekdays, n.text) || n.text == "PH" || n.text == "SH") {
			return nil
		}
		p.i++
	}
}

// times := span ("," span)*; span := HH:MM "-" HH:MM "+"? | HH:MM "+"
func (p *hoursParser) times() error {
	for {
		from, err := p.clock(24)
		if err != nil {
			return err
		}
		if p.isP("-") {
			p.i++
			to, err := p.clock(48)
			if err != nil {
				return err
			}
			if to <= from {
				return fmt.Errorf("the time span ending at character %d ends before it starts (write 22:00-26:00 past midnight)", p.toks[p.i-1].pos+5)
			}
			if p.isP("+") {
				p.i++
			}
		} else if p.isP("+") {
			p.i++
		} else {
			return p.fail(`"-" and the closing time`)
		}
		if !p.isP(",") || p.i+1 >= len(p.toks) || p.toks[p.i+1].kind != 't' {
			return nil
		}
		p.i++
	}
}

func (p *hoursParser) clock(maxHour int) (int, error) {
	t := p.peek()
	if t == nil || t.kind != 't' {
		return 0, p.fail("a time HH:MM")
	}
	h, _ := strconv.Atoi(t.text[:len(t.text)-3])
	m, _ := strconv.Atoi(t.text[len(t.text)-2:])
	if h > maxHour || m > 59 || h == maxHour && m > 0 {
		return 0, p.fail("a time HH:MM (00:00–24:00)")
	}
	p.i++
	return h*60 + m, nil
}
