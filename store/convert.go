package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
)

// Times are stored as unix microseconds (BIGINT) on both databases, and the
// zero time as NULL; see the package doc.

// micros is the column value for t.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromMicros is the time a column holds, in UTC.
func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// nullString stores "" as NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonText is v as a JSON TEXT column value; a nil map, slice or pointer is
// NULL.
func jsonText(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

// rawText stores a raw JSON document as TEXT; empty is NULL.
func rawText(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return string(m)
}

// fromRawText is the raw JSON a TEXT column holds.
func fromRawText(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

// foldKey is the case-insensitive key of a name, computed here rather than
// with SQL lower() so both databases fold alike.
func foldKey(s string) string { return strings.ToLower(s) }

// pageLimit is the number of rows a page holds.
func pageLimit(limit int) int {
	if limit <= 0 {
		return DefaultPageLimit
	}
	return limit
}

// DefaultPageLimit is the page size used when a page's Limit is zero or
// negative.
const DefaultPageLimit = 100

// scanner is *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// queryAll runs query on q and scans every row with scan; errors are
// wrapped as op (see Store.fail).
func queryAll[T any](ctx context.Context, s *Store, q querier, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	list, err := collect(rows, scan)
	if err != nil {
		return nil, s.fail(ctx, op, err)
	}
	return list, nil
}

// collect scans every row and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	list := make([]T, 0)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return list, nil
}
