package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
)

// uuid.UUID travels as 16 binary bytes both ways, and every other form
// (pointers, NULL, arrays, text) still works through pgx's own codec.
func TestUUIDRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := openPool(t)
	id := uuid.Must(uuid.NewV7())

	var back uuid.UUID
	var text string
	if err := pool.QueryRow(ctx, "SELECT $1::uuid, $1::uuid::text", id).Scan(&back, &text); err != nil {
		t.Fatal(err)
	}
	if back != id || text != id.String() {
		t.Fatalf("got %s / %s, want %s", back, text, id)
	}

	var p *uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT NULL::uuid").Scan(&p); err != nil || p != nil {
		t.Fatalf("NULL into *uuid.UUID: %v, %v", p, err)
	}
	if err := pool.QueryRow(ctx, "SELECT $1::uuid", &id).Scan(&p); err != nil || p == nil || *p != id {
		t.Fatalf("*uuid.UUID: %v, %v", p, err)
	}
	var isNull bool
	if err := pool.QueryRow(ctx, "SELECT $1::uuid IS NULL", (*uuid.UUID)(nil)).Scan(&isNull); err != nil || !isNull {
		t.Fatalf("nil *uuid.UUID: %v, %v", isNull, err)
	}
	if err := pool.QueryRow(ctx, "SELECT NULL::uuid").Scan(&back); err == nil {
		t.Fatal("NULL into uuid.UUID: no error")
	}

	ids := []uuid.UUID{id, uuid.Must(uuid.NewV7())}
	var arr []uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT $1::uuid[]", ids).Scan(&arr); err != nil || len(arr) != 2 || arr[1] != ids[1] {
		t.Fatalf("[]uuid.UUID: %v, %v", arr, err)
	}
	var fromText uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT $1::text::uuid", id.String()).Scan(&fromText); err != nil || fromText != id {
		t.Fatalf("text param: %v, %v", fromText, err)
	}
}
