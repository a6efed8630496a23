package scan_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func TestCanonicalService(t *testing.T) {
	cases := []struct {
		it   scan.Item
		want string
	}{
		{scan.Item{Service: "telnet", Port: 23, Protocol: "tcp"}, "telnet"},
		{scan.Item{Service: "http", Tunnel: "ssl", Port: 443, Protocol: "tcp"}, "https"},
		{scan.Item{Service: "http", Product: "Apache httpd", ExtraInfo: "SSL-only mode", Port: 8443, Protocol: "tcp"}, "https"},
		{scan.Item{Service: "www", Port: 80, Protocol: "tcp"}, "http"},
		{scan.Item{Service: "msrdp", Port: 3389, Protocol: "tcp"}, "rdp"},
		{scan.Item{Service: "shell?", Port: 1524, Protocol: "tcp"}, "bindshell"},
		{scan.Item{Service: "wild_shell", Port: 1524, Protocol: "tcp"}, "bindshell"},
		{scan.Item{Service: "shell", Port: 514, Protocol: "tcp"}, "rsh"},
		{scan.Item{Service: "unknown", Port: 23, Protocol: "tcp"}, "telnet"},
		{scan.Item{Service: "", Product: "BusyBox telnetd", Port: 2601, Protocol: "tcp"}, "telnet"},
		{scan.Item{Service: "tftp", Port: 69, Protocol: "udp"}, "tftp"},
		{scan.Item{Service: "domain", Port: 53, Protocol: "udp"}, "dns"},
		{scan.Item{Service: "unknown", Port: 31337, Protocol: "tcp"}, ""},
	}
	for _, c := range cases {
		if got := scan.CanonicalService(c.it); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.it, got, c.want)
		}
	}
}
