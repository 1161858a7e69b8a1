package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/intake/intake/internal/notify"
)

func TestLocalWakesOnlyTheJobsSubscribers(t *testing.T) {
	l := notify.NewLocal()
	a, stopA := l.Subscribe(1)
	a2, stopA2 := l.Subscribe(1)
	b, stopB := l.Subscribe(2)
	defer stopB()
	l.Notify(context.Background(), 1)
	l.Notify(context.Background(), 1) // coalesces: Notify never blocks
	for name, ch := range map[string]<-chan struct{}{"first": a, "second": a2} {
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("the %s subscriber of job 1 was not woken", name)
		}
	}
	select {
	case <-b:
		t.Fatal("job 2's subscriber was woken by job 1")
	default:
	}
	stopA()
	stopA() // twice is fine
	l.Notify(context.Background(), 1)
	select {
	case <-a:
		t.Fatal("an ended subscription was woken")
	default:
	}
	select {
	case <-a2:
	case <-time.After(5 * time.Second):
		t.Fatal("the remaining subscriber was not woken")
	}
	stopA2()
}
