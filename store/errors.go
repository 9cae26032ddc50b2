package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
)

// Conditions a [Store] reports. The errors it returns for them are of type
// [*Error], which also matches the kit sentinels: errors.Is(err,
// ErrNotFound), errors.Is(err, ssokit.ErrNotFound) and errors.Is(err,
// scimkit.ErrNotFound) all hold for a missing record (likewise for
// ErrConflict).
var (
	// ErrNotFound: the record does not exist, has expired, belongs to
	// another directory, or a record it refers to does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a unique key is taken, or an optimistic version check
	// failed.
	ErrConflict = errors.New("store: conflict")
)

// Error is a condition ([ErrNotFound] or [ErrConflict]) met by one
// operation, with the database error that revealed it, if any.
type Error struct {
	Op   string // the operation, such as "create user"
	Kind error  // ErrNotFound or ErrConflict
	Err  error  // the driver's error; nil when the store found the condition itself
}

// Error returns "store: <op>: <condition>[: <driver error>]".
func (e *Error) Error() string {
	msg := "store: " + e.Op + ": " + kindWord(e.Kind)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func kindWord(kind error) string {
	switch kind {
	case ErrNotFound:
		return "not found"
	case ErrConflict:
		return "conflict"
	}
	return "error"
}

// Is matches the store sentinel of e's kind and the ssokit and scimkit
// sentinels of the same meaning.
func (e *Error) Is(target error) bool {
	switch e.Kind {
	case ErrNotFound:
		return target == ErrNotFound || target == ssokit.ErrNotFound || target == scimkit.ErrNotFound
	case ErrConflict:
		return target == ErrConflict || target == ssokit.ErrConflict || target == scimkit.ErrConflict
	}
	return false
}

// Unwrap returns the driver's error.
func (e *Error) Unwrap() error { return e.Err }

func notFound(op string) error { return &Error{Op: op, Kind: ErrNotFound} }
func conflict(op string) error { return &Error{Op: op, Kind: ErrConflict} }

// Constraint violations as the drivers report them.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"

	sqliteConstraintForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
)

// constraintKind classifies a driver error without importing the drivers:
// pgconn.PgError has SQLState, modernc's sqlite.Error has Code (an extended
// result code).
func constraintKind(err error) error {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		switch pg.SQLState() {
		case pgUniqueViolation:
			return ErrConflict
		case pgForeignKeyViolation:
			return ErrNotFound
		}
		return nil
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return ErrConflict
		case sqliteConstraintForeignKey:
			return ErrNotFound
		}
	}
	return nil
}

// fail turns a database error met by op into the error the store returns.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	var se *Error
	switch {
	case errors.As(err, &se):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return &Error{Op: op, Kind: ErrNotFound}
	}
	if kind := constraintKind(err); kind != nil {
		return &Error{Op: op, Kind: kind, Err: err}
	}
	// A driver interrupted by a cancelled context may report its own error
	// (SQLite: "interrupted"); make sure the context's error is in the chain.
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("store: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
