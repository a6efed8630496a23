package scantest

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// PeakHeap samples the in-use heap every 2 ms until Report and records the
// maximum as the benchmark metric peak-MB, which is what bounds memory
// while a report streams.
type PeakHeap struct {
	stop chan struct{}
	done chan struct{}
	max  atomic.Uint64
}

// StartPeakHeap collects garbage, then starts sampling.
func StartPeakHeap() *PeakHeap {
	runtime.GC()
	p := &PeakHeap{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			if v := samples[0].Value.Uint64() + samples[1].Value.Uint64(); v > p.max.Load() {
				p.max.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// Report stops sampling and reports peak-MB on b.
func (p *PeakHeap) Report(b *testing.B) {
	close(p.stop)
	<-p.done
	b.ReportMetric(float64(p.max.Load())/(1<<20), "peak-MB")
}
