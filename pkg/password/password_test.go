package password_test

import (
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/password"
)

func TestHashVerify(t *testing.T) {
	h := password.Hasher{P: password.Default}
	enc, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected encoding %q", enc)
	}
	if ok, err := h.Verify("correct horse battery staple", enc); err != nil || !ok {
		t.Fatalf("verify right password: ok=%v err=%v", ok, err)
	}
	if ok, _ := h.Verify("wrong", enc); ok {
		t.Fatal("wrong password verified")
	}
	enc2, _ := h.Hash("correct horse battery staple")
	if enc == enc2 {
		t.Fatal("two hashes of one password share a salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA", "plain"} {
		if _, err := h.Verify("x", bad); err == nil {
			t.Errorf("Verify(%q) accepted a malformed hash", bad)
		}
	}
}
