// Package policies embeds the casbin model and role policy that authorize
// every API route. They are reviewed code: change them with a test.
package policies

import _ "embed"

// Model is the casbin model (RBAC with domains; domain = authority code).
//
//go:embed model.conf
var Model string

// Policy is the role-permission policy in casbin CSV form.
//
//go:embed policy.csv
var Policy string
