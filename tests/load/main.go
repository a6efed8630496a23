// Command load measures the running server under a constant request rate on
// loopback: authenticated GET of a case (auth, casbin, database, JSON) next to
// a bare fiber handler serving 1 KB of static JSON, at increasing rates, and
// prints the highest rate each sustained. Bounded in time; 127.0.0.1 only.
//
//	go run ./tests/load -bin bin/tradewarden -duration 5s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	bin := flag.String("bin", "bin/tradewarden", "the tradewarden binary")
	duration := flag.Duration("duration", 5*time.Second, "how long each rate is held")
	rates := flag.String("rates", "500,1000,2000,4000,8000", "requests per second to try, ascending")
	p99Limit := flag.Duration("p99", 100*time.Millisecond, "a rate counts as sustained when p99 stays under this and every request succeeds")
	flag.Parse()
	if err := run(*bin, *duration, *rates, *p99Limit); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type result struct {
	rate       int
	throughput float64
	success    float64
	p50, p99   time.Duration
}

func run(bin string, d time.Duration, rateList string, p99Limit time.Duration) error {
	data, err := os.MkdirTemp("", "tw-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	env := append(os.Environ(), "TW_DATA_DIR="+data, "TW_LOG_LEVEL=error", "TW_METRICS_ADDR=off")
	if out, err := command(bin, env, "demo").CombinedOutput(); err != nil {
		return fmt.Errorf("demo: %v: %s", err, out)
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv := command(bin, env, "serve", "--addr", addr, "--login-rate", "100000")
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Kill(); _, _ = srv.Process.Wait() }()
	base := "http://" + addr
	if err := waitUp(base); err != nil {
		return err
	}
	token, err := login(base)
	if err != nil {
		return err
	}
	caseID, err := createCase(base, token)
	if err != nil {
		return err
	}
	hdr := http.Header{"Authorization": {"Bearer " + token}}
	getCase := vegeta.Target{Method: http.MethodGet, URL: base + "/api/v1/cases/" + caseID, Header: hdr}

	bare, stopBare, err := bareFiber()
	if err != nil {
		return err
	}
	defer stopBare()
	static := vegeta.Target{Method: http.MethodGet, URL: bare + "/static"}

	var rs []int
	for _, f := range strings.Split(rateList, ",") {
		var r int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &r); err == nil && r > 0 {
			rs = append(rs, r)
		}
	}
	fmt.Printf("%-32s %7s %11s %8s %9s %9s\n", "target", "rate/s", "achieved/s", "success", "p50", "p99")
	best := map[string]result{}
	for _, t := range []struct {
		name   string
		target vegeta.Target
	}{{"authenticated GET /cases/{id}", getCase}, {"bare fiber 1KB JSON", static}} {
		for _, r := range rs {
			res := attack(t.target, r, d)
			fmt.Printf("%-32s %7d %11.0f %7.2f%% %9s %9s\n", t.name, r, res.throughput, res.success*100, res.p50.Round(10*time.Microsecond), res.p99.Round(10*time.Microsecond))
			if res.success < 0.999 || res.p99 > p99Limit {
				break
			}
			best[t.name] = res
		}
	}
	a, b := best["authenticated GET /cases/{id}"], best["bare fiber 1KB JSON"]
	fmt.Printf("\nsustained (p99 < %s, 100%% success): GET case %d req/s (p99 %s); bare fiber %d req/s (p99 %s); ratio %.2f\n",
		p99Limit, a.rate, a.p99.Round(10*time.Microsecond), b.rate, b.p99.Round(10*time.Microsecond), ratio(a.rate, b.rate))
	return nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func attack(t vegeta.Target, rate int, d time.Duration) result {
	atk := vegeta.NewAttacker(vegeta.Timeout(5*time.Second), vegeta.KeepAlive(true), vegeta.Workers(64), vegeta.MaxWorkers(512))
	var m vegeta.Metrics
	for res := range atk.Attack(vegeta.NewStaticTargeter(t), vegeta.Rate{Freq: rate, Per: time.Second}, d, "load") {
		m.Add(res)
	}
	m.Close()
	return result{rate: rate, throughput: m.Throughput, success: m.Success, p50: m.Latencies.P50, p99: m.Latencies.P99}
}

func command(bin string, env []string, args ...string) *exec.Cmd {
	abs, _ := filepath.Abs(bin)
	c := exec.Command(abs, args...)
	c.Env = env
	return c
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitUp(base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("server at %s did not come up", base)
}

func login(base string) (string, error) {
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"officer@kent-ts.example","password":"tradewarden-demo-2026"}`))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("login: %d %v", resp.StatusCode, err)
	}
	return tok.Token, nil
}

func createCase(base, token string) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/cases",
		bytes.NewReader([]byte(`{"title":"Load test case","origin":"proactive_surveillance","summary":"Smart plug with a default password"}`)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var cv struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&cv); err != nil || cv.ID == "" {
		return "", fmt.Errorf("create case: %d %v", resp.StatusCode, err)
	}
	return cv.ID, nil
}

// bareFiber serves 1 KB of static JSON from a plain fiber app: the raw
// framework baseline.
func bareFiber() (string, func(), error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	payload := []byte(`{"data":"` + strings.Repeat("x", 1000) + `"}`)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/static", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(payload)
	})
	go func() { _ = app.Listen(addr) }()
	base := "http://" + addr
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(base + "/static"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return base, func() { _ = app.ShutdownWithTimeout(2 * time.Second) }, nil
}
