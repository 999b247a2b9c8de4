package app

import (
	"fmt"
	"testing"
	"time"
)

// TestThrottleFlood: 200,000 distinct keys, each failing once, do not lift
// the limit of a key that reached it (the old table was wiped at 100,000
// keys), and the limit still ends with time.
func TestThrottleFlood(t *testing.T) {
	var th Throttle
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	victim := "ea:owner@example.org|203.0.113.9"
	for i := 0; i < limitAccountAddress.Burst; i++ {
		th.Fail(victim, limitAccountAddress, now)
	}
	if d := th.Wait(victim, limitAccountAddress, now); d <= 0 {
		t.Fatal("five failures do not limit the key")
	}
	for i := 0; i < 200000; i++ {
		th.Fail(fmt.Sprintf("ea:x%d@example.org|198.51.100.1", i), limitAccountAddress, now.Add(time.Duration(i)*time.Microsecond))
	}
	later := now.Add(time.Second)
	if d := th.Wait(victim, limitAccountAddress, later); d <= 0 {
		t.Error("the flood lifted the limit")
	}
	if n := th.fresh.Len() + th.limited.Len(); n > 2*throttleMaxKeys {
		t.Errorf("%d keys kept, more than the bound", n)
	}
	// One more attempt is allowed once one failure's share of the window
	// has passed, not before.
	step := limitAccountAddress.Per / time.Duration(limitAccountAddress.Burst)
	if d := th.Wait(victim, limitAccountAddress, now.Add(step-time.Second)); d <= 0 {
		t.Error("allowed again too early")
	}
	if d := th.Wait(victim, limitAccountAddress, now.Add(step+time.Second)); d != 0 {
		t.Errorf("still waiting %v after %v", d, step)
	}
	th.Reset(victim)
	if d := th.Wait(victim, limitAccountAddress, now); d != 0 {
		t.Errorf("reset key waits %v", d)
	}
}
