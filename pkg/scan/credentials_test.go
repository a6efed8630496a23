package scan_test

import (
	"slices"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func TestCredentialsFromText(t *testing.T) {
	cases := []struct {
		text string
		want []scan.Credential
	}{
		{"\nNessus was able to gain access using the following credentials :\n\n  User     : root\n  Password : toor\n",
			[]scan.Credential{{Service: "ssh", Username: "root", Password: "toor"}}},
		{"It was possible to login as 'root' with the password 'root'.", []scan.Credential{{Service: "ssh", Username: "root", Password: "root"}}},
		{"It was possible to login as 'root' with an empty password.", []scan.Credential{{Service: "ssh", Username: "root", Blank: true}}},
		{"\nThe VNC server uses the password 'password'.\n", []scan.Credential{{Service: "ssh", Password: "password"}}},
		{"It was possible to login with the following credentials <User>:<Password>\n\nadmin:admin\nroot:\n",
			[]scan.Credential{{Service: "ssh", Username: "admin", Password: "admin"}, {Service: "ssh", Username: "root", Blank: true}}},
		{"The remote SSH server supports password authentication.", nil},
		{"Port 22/tcp was found to be open: 10.0.0.1:22", nil},
	}
	for _, c := range cases {
		if got := scan.CredentialsFromText("ssh", c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %+v, want %+v", c.text, got, c.want)
		}
	}
}
