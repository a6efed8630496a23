// Package txn declares the unit of work core services use to make a change and
// its audit entry commit or fail together.
package txn

import "context"

// Runner runs fn in one database transaction carried by the context passed to
// fn; stores called with that context join it. Nested calls join the outer
// transaction.
type Runner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}
