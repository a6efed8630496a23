package component_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

func auditCount(t *testing.T, env *wiringtest.Env) int64 {
	t.Helper()
	seq, _, err := env.App.Audit.Head(env.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func roleOf(name string) principal.Role { return principal.Role(name) }
